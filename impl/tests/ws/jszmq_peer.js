// A jszmq socket (ZWS 2.0 in JavaScript, npm's jszmq) driven line by line,
// for impl/tests/jszmq.rs. jszmq has no blocking call and no timeout
// option: send() queues and returns, messages arrive as events, so no
// call here can block. What bounds the process instead: an overall timer
// ends it with status 3, and it exits when its standard input closes (the
// test ended or was killed); the test bounds each wait for a line.
//
//   node jszmq_peer.js TYPE bind|connect|bind-bare ENDPOINT [ROUTING_ID]
//
// bind-bare binds with the harness choosing the bare ZWS2.0 subprotocol
// for jszmq's server: jszmq itself answers whatever the client offers
// first, which it may not speak (conformance/FINDINGS.md, jszmq).
//
// prints "ready" once bound or connecting, then reads commands on stdin:
//   send HEX[,HEX...]   sends one message (frames in hex; "-" is empty)
//   subscribe HEX       SUB: subscribes to a topic ("-" is everything)
//   quit                closes the socket and exits 0
// and prints each message it receives as "recv HEX[,HEX...]".
"use strict";
const [type, role, endpoint, routingId] = process.argv.slice(2);
if (role === "bind-bare") {
  // jszmq builds its server with ws's WebSocket.Server and no protocol
  // choice; this one picks ZWS2.0, the only subprotocol jszmq speaks.
  const ws = require("ws");
  const Server = ws.Server;
  ws.Server = class extends Server {
    constructor(options, callback) {
      const handleProtocols = (offered) => (offered.includes("ZWS2.0") ? "ZWS2.0" : false);
      super({ ...options, handleProtocols }, callback);
    }
  };
}
const zmq = require("jszmq");
const readline = require("readline");

const guard = setTimeout(() => {
  console.error("jszmq_peer.js: overall timeout");
  process.exit(3);
}, 20000);

const hex = (b) => (b.length ? Buffer.from(b).toString("hex") : "-");
const unhex = (h) => (h === "-" ? Buffer.alloc(0) : Buffer.from(h, "hex"));

const socket = zmq.socket(type);
if (routingId) socket.options.routingId = routingId;
socket.on("message", (...frames) => {
  console.log("recv " + frames.map(hex).join(","));
});
if (role === "bind" || role === "bind-bare") socket.bind(endpoint);
else socket.connect(endpoint);
console.log("ready");

const input = readline.createInterface({ input: process.stdin });
input.on("close", () => process.exit(0));
input.on("line", (line) => {
  const [command, arg] = line.trim().split(" ");
  if (command === "send") socket.send(arg.split(",").map(unhex));
  else if (command === "subscribe") socket.subscribe(unhex(arg));
  else if (command === "quit") {
    socket.close();
    clearTimeout(guard);
    // Let the close frame leave before the process ends.
    setTimeout(() => process.exit(0), 50);
  } else {
    console.error("jszmq_peer.js: unknown command " + line);
    process.exit(2);
  }
});
