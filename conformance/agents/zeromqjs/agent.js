#!/usr/bin/env node
// zmtp-conformance agent for zeromq.js 6 (see ../../AGENTS.md).
// Run with NODE_PATH pointing at the node_modules that holds `zeromq`.
//
// No call waits forever: send, recv and poll wait for the request's
// timeout_ms (clamped to 0..MAX_WAIT_MS), and every socket the agent opens
// (bounded()) has receiveTimeout and sendTimeout (SAFETY_MS) and linger 0
// in case anything else waits on it.
"use strict";

const zmq = require("zeromq");
const readline = require("readline");

// The longest wait a request may ask for, and the timeouts every socket
// gets (the runner passes timeout_ms for the waits it means).
const MAX_WAIT_MS = 600000;
const SAFETY_MS = 10000;

// A socket of class `Class` whose receives and sends give up and whose
// close drops what is left (a send-only socket has no receiveTimeout, a
// receive-only one no sendTimeout).
function bounded(Class) {
  const options = { linger: 0, receiveTimeout: SAFETY_MS, sendTimeout: SAFETY_MS };
  for (const name of ["receiveTimeout", "sendTimeout"]) {
    if (!(name in Class.prototype)) delete options[name];
  }
  return new Class(options);
}

// The request's timeout_ms (or `dflt`), within 0..MAX_WAIT_MS.
function waitMs(req, dflt) {
  const ms = Number(req.timeout_ms ?? dflt);
  return Number.isFinite(ms) ? Math.max(0, Math.min(ms, MAX_WAIT_MS)) : dflt;
}

const CLASSES = {
  PAIR: zmq.Pair, PUB: zmq.Publisher, SUB: zmq.Subscriber, REQ: zmq.Request,
  REP: zmq.Reply, DEALER: zmq.Dealer, ROUTER: zmq.Router, PULL: zmq.Pull,
  PUSH: zmq.Push, XPUB: zmq.XPublisher, XSUB: zmq.XSubscriber, STREAM: zmq.Stream,
};
const INT_OPTIONS = {
  LINGER: "linger", SNDHWM: "sendHighWaterMark", RCVHWM: "receiveHighWaterMark",
  RECONNECT_IVL: "reconnectInterval", HEARTBEAT_IVL: "heartbeatInterval",
  HEARTBEAT_TIMEOUT: "heartbeatTimeout", HEARTBEAT_TTL: "heartbeatTimeToLive",
  MAXMSGSIZE: "maxMessageSize",
};

// Security options (AGENTS.md): octet strings arrive as hex (CURVE keys as
// the hex of their 40-character Z85 text) and go to libzmq as buffers, with
// its option numbers; the two server switches are integers.
const BYTES_OPTIONS = {
  PLAIN_USERNAME: 45, PLAIN_PASSWORD: 46, CURVE_PUBLICKEY: 48, CURVE_SECRETKEY: 49,
  CURVE_SERVERKEY: 50, ZAP_DOMAIN: 55,
};
const BOOL_OPTIONS = {
  PLAIN_SERVER: "plainServer", CURVE_SERVER: "curveServer", STREAM_NOTIFY: "notify",
};

function mechanisms() {
  const out = ["NULL", "PLAIN"];
  if (zmq.capability.curve) out.push("CURVE");
  return out;
}

// Z85 (RFC 32) text of octets whose count is a multiple of 4: what the ZAP
// handler compares a CURVE client key against.
const Z85_DIGITS =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
function z85(octets) {
  let text = "";
  for (let i = 0; i + 4 <= octets.length; i += 4) {
    let value = octets.readUInt32BE(i);
    const digits = [];
    for (let k = 0; k < 5; k++) {
      digits.unshift(Z85_DIGITS[value % 85]);
      value = Math.floor(value / 85);
    }
    text += digits.join("");
  }
  return text;
}

// ZAP_ALLOW: one ZAP handler (RFC 27), a ROUTER bound at
// inproc://zeromq.zap.01 in the sockets' context, started on first use. It
// accepts PLAIN "username:password" or the CURVE client key (Z85) equal to
// the last ZAP_ALLOW value (user id "allowed"), refuses others with 400, and
// accepts everyone after a reset (as libzmq without a handler does for
// CURVE), like the Python agent's.
// With a policy (the zap_handler op) it answers every request with the
// policy's frames after its delay, and logs every request with every frame
// (zap_log). The handler is a ROUTER only: a REP policy is unsupported.
let zapAllowed = null;
let zapHandler = null;
let zapPolicy = null;
let zapRequests = [];

async function zapLoop(router) {
  for (;;) {
    let request;
    try {
      request = await router.receive();
    } catch (e) {
      if (e.code === "EAGAIN") continue; // receiveTimeout: nobody asked meanwhile
      return; // closed
    }
    // [peer routing id, "", version, request id, domain, address, identity,
    //  mechanism, credentials...]
    const [peer, delimiter, , requestId, , , , mechanism, ...credentials] = request;
    zapRequests.push(request.map((f) => Buffer.from(f).toString("hex")));
    if (zapPolicy !== null) {
      const p = zapPolicy;
      if (p.delayMs > 0) await sleep(p.delayMs);
      const cut = request.findIndex((f) => f.length === 0) + 1;
      const envelope = request.slice(0, cut);
      const rid = p.requestId !== null ? p.requestId : request[cut + 1] || Buffer.alloc(0);
      try {
        await router.send([...envelope, p.version, rid, p.status, p.statusText, p.userId, p.metadata]);
      } catch (e) {
        if (e.code === "EAGAIN") continue;
        return;
      }
      continue;
    }
    let presented = null;
    const mech = mechanism ? mechanism.toString("latin1") : "";
    if (mech === "PLAIN" && credentials.length === 2) {
      presented = Buffer.concat([credentials[0], Buffer.from(":"), credentials[1]]);
    } else if (mech === "CURVE" && credentials.length === 1) {
      presented = Buffer.from(z85(credentials[0]), "latin1");
    }
    const allowed = zapAllowed === null || (presented !== null && presented.equals(zapAllowed));
    const reply = allowed
      ? ["1.0", requestId, "200", "OK", "allowed", ""]
      : ["1.0", requestId, "400", "not allowed", "", ""];
    try {
      await router.send([peer, delimiter, ...reply]);
    } catch (e) {
      if (e.code === "EAGAIN") continue; // sendTimeout: the asking socket went away
      return;
    }
  }
}

async function zapStart() {
  if (zapHandler === null) {
    const router = bounded(zmq.Router);
    await router.bind("inproc://zeromq.zap.01");
    zapHandler = router;
    zapLoop(router);
  }
}

async function zapAllow(value) {
  zapAllowed = value;
  await zapStart();
}

// The zap_handler op (AGENTS.md): the policy, the log cleared.
async function zapHandlerOp(req) {
  if ((req.socket_type || "ROUTER") !== "ROUTER") {
    return { unsupported: "this agent's ZAP handler is a ROUTER" };
  }
  const hex = (v, dflt) => (v === undefined || v === null ? dflt : Buffer.from(v, "hex"));
  zapPolicy = {
    status: Buffer.from(req.status ?? "200", "latin1"),
    statusText: Buffer.from(req.status_text ?? "OK", "latin1"),
    userId: hex(req.user_id, Buffer.alloc(0)),
    metadata: hex(req.metadata, Buffer.alloc(0)),
    delayMs: Math.max(0, Math.min(Number(req.delay_ms ?? 0), 10000)),
    version: hex(req.version, Buffer.from("1.0")),
    requestId: req.request_id === undefined || req.request_id === null ? null : Buffer.from(req.request_id, "hex"),
  };
  zapRequests = [];
  await zapStart();
  return { ok: true };
}

// Draft sockets (CLIENT, SERVER, RADIO, DISH, SCATTER, GATHER) when the
// bundled libzmq has them. zeromq.js has no PEER or CHANNEL class: those
// cases are UNSUPPORTED.
let draft = null;
try {
  draft = require("zeromq/draft");
  Object.assign(CLASSES, {
    CLIENT: draft.Client, SERVER: draft.Server, RADIO: draft.Radio, DISH: draft.Dish,
  });
  if (draft.Scatter && draft.Gather) {
    Object.assign(CLASSES, { SCATTER: draft.Scatter, GATHER: draft.Gather });
  }
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
        zmtp: "3.1", socket_types: Object.keys(CLASSES), transports: draft ? ["tcp", "ipc", "udp"] : ["tcp", "ipc"],
        mechanisms: mechanisms(),
      };
    case "socket": {
      const C = CLASSES[req.type];
      if (!C) return { unsupported: "socket type " + req.type };
      const s = bounded(C);
      const h = nextHandle++;
      sockets.set(h, s);
      return { ok: true, socket: h };
    }
    case "setsockopt": {
      const s = sock(req);
      const name = req.option;
      if (INT_OPTIONS[name]) {
        s[INT_OPTIONS[name]] = req.value;
      } else if (BOOL_OPTIONS[name]) {
        s[BOOL_OPTIONS[name]] = !!req.value;
      } else if (BYTES_OPTIONS[name]) {
        s.setStringOption(BYTES_OPTIONS[name], Buffer.from(req.value, "hex"));
      } else if (name === "ZAP_ALLOW") {
        await zapAllow(Buffer.from(req.value, "hex"));
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
      s.sendTimeout = waitMs(req, 1000);
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
      const deadline = Date.now() + waitMs(req, 1000);
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
      const end = Date.now() + waitMs(req, 0);
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
    case "zap_handler":
      return await zapHandlerOp(req);
    case "zap_log":
      return { ok: true, requests: zapRequests };
    case "reset":
      zapAllowed = null;
      zapPolicy = null;
      zapRequests = [];
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
  if (zapHandler) zapHandler.close();
  process.exit(0);
}

main();
