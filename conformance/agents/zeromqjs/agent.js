#!/usr/bin/env node
// zmtp-conformance agent for zeromq.js 6 (see ../../AGENTS.md).
// Run with NODE_PATH pointing at the node_modules that holds `zeromq`.
"use strict";

const zmq = require("zeromq");
const readline = require("readline");

const CLASSES = {
  PAIR: zmq.Pair, PUB: zmq.Publisher, SUB: zmq.Subscriber, REQ: zmq.Request,
  REP: zmq.Reply, DEALER: zmq.Dealer, ROUTER: zmq.Router, PULL: zmq.Pull,
  PUSH: zmq.Push, XPUB: zmq.XPublisher, XSUB: zmq.XSubscriber,
};
const INT_OPTIONS = {
  LINGER: "linger", SNDHWM: "sendHighWaterMark", RCVHWM: "receiveHighWaterMark",
  RECONNECT_IVL: "reconnectInterval", HEARTBEAT_IVL: "heartbeatInterval",
  HEARTBEAT_TIMEOUT: "heartbeatTimeout", HEARTBEAT_TTL: "heartbeatTimeToLive",
  MAXMSGSIZE: "maxMessageSize",
};

// Draft sockets (CLIENT, SERVER, RADIO, DISH) when the bundled libzmq has them.
let draft = null;
try {
  draft = require("zeromq/draft");
  Object.assign(CLASSES, {
    CLIENT: draft.Client, SERVER: draft.Server, RADIO: draft.Radio, DISH: draft.Dish,
  });
} catch (e) {
  draft = null;
}

const sockets = new Map();
let nextHandle = 0;

function sock(req) {
  const s = sockets.get(req.socket);
  if (!s) throw new Error("unknown socket handle " + req.socket);
  return s;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function handle(req) {
  switch (req.op) {
    case "manifest":
      return {
        ok: true, name: "zeromqjs", version: "zeromq.js 6.8 (libzmq " + zmq.version + ")",
        zmtp: "3.1", socket_types: Object.keys(CLASSES), transports: ["tcp", "ipc"],
        mechanisms: ["NULL"],
      };
    case "socket": {
      const C = CLASSES[req.type];
      if (!C) return { unsupported: "socket type " + req.type };
      const s = new C({ linger: 0 });
      const h = nextHandle++;
      sockets.set(h, s);
      return { ok: true, socket: h };
    }
    case "setsockopt": {
      const s = sock(req);
      const name = req.option;
      if (INT_OPTIONS[name]) {
        s[INT_OPTIONS[name]] = req.value;
      } else if (name === "ROUTING_ID") {
        s.routingId = Buffer.from(req.value, "hex").toString("latin1");
      } else if (name === "SUBSCRIBE" && s instanceof zmq.Subscriber) {
        s.subscribe(Buffer.from(req.value, "hex"));
      } else if (name === "UNSUBSCRIBE" && s instanceof zmq.Subscriber) {
        s.unsubscribe(Buffer.from(req.value, "hex"));
      } else if (draft && name === "JOIN" && s instanceof draft.Dish) {
        s.join(Buffer.from(req.value, "hex"));
      } else if (draft && name === "LEAVE" && s instanceof draft.Dish) {
        s.leave(Buffer.from(req.value, "hex"));
      } else if (name === "ROUTER_MANDATORY" && s instanceof zmq.Router) {
        s.mandatory = !!req.value;
      } else if (name === "XPUB_VERBOSE" && s instanceof zmq.XPublisher) {
        s.verbosity = req.value ? "allSubs" : null;
      } else {
        return { unsupported: "option " + name };
      }
      return { ok: true };
    }
    case "bind": {
      const s = sock(req);
      await s.bind(req.endpoint);
      return { ok: true, endpoint: s.lastEndpoint };
    }
    case "connect":
      sock(req).connect(req.endpoint);
      return { ok: true };
    case "send": {
      const s = sock(req);
      s.sendTimeout = req.timeout_ms ?? 1000;
      const frames = (req.frames || []).map((f) => Buffer.from(f, "hex"));
      try {
        if (draft && s instanceof draft.Radio) {
          // [group, body]
          await s.send(frames[1] || Buffer.alloc(0), { group: frames[0] });
        } else if (draft && s instanceof draft.Server) {
          // [routing id (4 octets, big-endian), body]
          await s.send(frames[1] || Buffer.alloc(0), { routingId: frames[0].readUInt32BE(0) });
        } else {
          await s.send(frames.length === 1 ? frames[0] : frames);
        }
      } catch (e) {
        if (e.code === "EAGAIN") return { error: "send timed out", again: true };
        throw e;
      }
      return { ok: true };
    }
    case "recv": {
      // A socket may wake up for a message it then drops (REQ discarding
      // a reply from the wrong peer): try again until the deadline.
      const s = sock(req);
      const deadline = Date.now() + (req.timeout_ms ?? 1000);
      for (;;) {
        s.receiveTimeout = Math.max(0, deadline - Date.now());
        try {
          const got = await s.receive();
          let frames = got;
          if (draft && s instanceof draft.Server) {
            const id = Buffer.alloc(4);
            id.writeUInt32BE(got[1].routingId >>> 0, 0);
            frames = [id, got[0]];
          } else if (draft && s instanceof draft.Dish) {
            frames = [Buffer.from(got[1].group), got[0]];
          }
          return { ok: true, frames: frames.map((f) => Buffer.from(f).toString("hex")) };
        } catch (e) {
          if (e.code !== "EAGAIN") throw e;
          if (Date.now() >= deadline) return { error: "recv timed out", again: true };
          await sleep(5);
        }
      }
    }
    case "poll": {
      const s = sock(req);
      const end = Date.now() + (req.timeout_ms ?? 0);
      for (;;) {
        if (s.readable || s.writable || Date.now() >= end) {
          return { ok: true, readable: !!s.readable, writable: !!s.writable };
        }
        await sleep(5);
      }
    }
    case "close": {
      const s = sock(req);
      s.close();
      sockets.delete(req.socket);
      return { ok: true };
    }
    case "reset":
      for (const s of sockets.values()) s.close();
      sockets.clear();
      return { ok: true };
    case "quit":
      return { ok: true };
    default:
      return { unsupported: "op " + req.op };
  }
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      process.stdout.write(JSON.stringify({ id: null, error: "bad json: " + e.message }) + "\n");
      continue;
    }
    let ans;
    try {
      ans = await handle(req);
    } catch (e) {
      ans = { error: String(e && e.message ? e.message : e) };
    }
    ans.id = req.id;
    process.stdout.write(JSON.stringify(ans) + "\n");
    if (req.op === "quit") break;
  }
  for (const s of sockets.values()) s.close();
  process.exit(0);
}

main();
