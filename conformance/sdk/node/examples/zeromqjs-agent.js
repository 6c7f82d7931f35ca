#!/usr/bin/env node
// A zmtp-conformance agent for zeromq.js 6, written with zmtp-agent: only
// the socket calls. Run it with NODE_PATH naming the node_modules that
// holds `zeromq`:
//   zmtp-conformance run --agent-cmd "node conformance/sdk/node/examples/zeromqjs-agent.js"
//
// No call waits forever: every socket has receiveTimeout, sendTimeout and
// linger (bounded()), and send and recv wait at most the timeoutMs given.
"use strict";

const path = require("path");
const zmq = require("zeromq");
const agent = require(path.join(__dirname, "..", "zmtp-agent"));

const SAFETY_MS = 10000;
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

// A socket whose receives and sends give up and whose close drops what is
// left (a send-only class has no receiveTimeout, a receive-only no
// sendTimeout).
function bounded(Class) {
  const options = { linger: 0, receiveTimeout: SAFETY_MS, sendTimeout: SAFETY_MS };
  for (const name of ["receiveTimeout", "sendTimeout"]) {
    if (!(name in Class.prototype)) delete options[name];
  }
  return new Class(options);
}

function again(e, what) {
  if (e && e.code === "EAGAIN") throw new agent.AgainError(what + " timed out");
  throw e;
}

agent.run({
  manifest: {
    name: "zeromqjs-sdk",
    version: "zeromq.js (libzmq " + zmq.version + ")",
    socket_types: Object.keys(CLASSES),
  },
  socket: (kind) => bounded(CLASSES[kind]),
  setsockopt(s, name, value) {
    if (INT_OPTIONS[name]) s[INT_OPTIONS[name]] = value;
    else if (name === "ROUTING_ID") s.routingId = value.toString("latin1");
    else if (name === "SUBSCRIBE" && s instanceof zmq.Subscriber) s.subscribe(value);
    else if (name === "UNSUBSCRIBE" && s instanceof zmq.Subscriber) s.unsubscribe(value);
    else if (name === "ROUTER_MANDATORY" && s instanceof zmq.Router) s.mandatory = !!value;
    else if (name === "XPUB_VERBOSE" && s instanceof zmq.XPublisher) {
      s.verbosity = value ? "allSubs" : null;
    } else throw new agent.UnsupportedError("option " + name);
  },
  async bind(s, endpoint) {
    await s.bind(endpoint);
    return s.lastEndpoint;
  },
  connect: (s, endpoint) => s.connect(endpoint),
  async send(s, frames, timeoutMs) {
    s.sendTimeout = timeoutMs;
    try {
      await s.send(frames.length === 1 ? frames[0] : frames);
    } catch (e) {
      again(e, "send");
    }
  },
  async recv(s, timeoutMs) {
    s.receiveTimeout = timeoutMs;
    try {
      return await s.receive();
    } catch (e) {
      return again(e, "recv");
    }
  },
  close: (s) => s.close(),
});
