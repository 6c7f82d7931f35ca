// zmtp-agent: write a zmtp-conformance agent by writing only the socket
// calls (see conformance/AGENTS.md for the contract this module speaks).
//
// It reads one JSON request per line from standard input and writes one
// answer per line: the parsing, the socket-handle table, hex frames, answer
// ids, `reset`, `quit`, timeouts clamped to a bound, errors and unsupported
// operations are done here. The author gives the library's calls:
//
//   const agent = require("zmtp-agent");
//   agent.run({
//     manifest: { name: "mylib", version: "mylib 1.2", socket_types: ["REQ", "REP"] },
//     async socket(kind) { ... },              // any object
//     async bind(sock, endpoint) { ... },      // the endpoint really bound
//     async connect(sock, endpoint) { ... },
//     async send(sock, frames, timeoutMs) { ... },  // frames: Buffer[]
//     async recv(sock, timeoutMs) { ... },          // Buffer[]
//     async close(sock) { ... },
//   });
//
// A method the library leaves out is answered `unsupported` (the case is
// UNSUPPORTED, never FAIL). In a method, throw `new agent.UnsupportedError(why)`
// for what the library cannot do, `new agent.AgainError(why)` when a send or
// receive timed out, any other error for a refusal (answered `error`).
// Nothing here waits: the library's calls must return within the
// timeoutMs they are given (clamped to 0..MAX_WAIT_MS), and its sockets
// should have receive and send timeouts and linger set.
"use strict";

const readline = require("readline");

// The longest wait a request may ask for.
const MAX_WAIT_MS = 600000;

// Options whose value travels as hex octets (given to the library as a
// Buffer); every other option's value is an integer.
const HEX_OPTIONS = new Set([
  "ROUTING_ID", "SUBSCRIBE", "UNSUBSCRIBE", "JOIN", "LEAVE",
  "PLAIN_USERNAME", "PLAIN_PASSWORD", "ZAP_DOMAIN",
  "CURVE_PUBLICKEY", "CURVE_SECRETKEY", "CURVE_SERVERKEY", "ZAP_ALLOW",
]);

class UnsupportedError extends Error {}
class AgainError extends Error {}

const DEFAULT_MANIFEST = {
  name: "agent", version: "?", zmtp: "3.1", socket_types: [],
  transports: ["tcp", "ipc"], mechanisms: ["NULL"],
};

function waitMs(req, dflt) {
  const ms = Number(req.timeout_ms ?? dflt);
  return Number.isFinite(ms) ? Math.max(0, Math.min(Math.floor(ms), MAX_WAIT_MS)) : dflt;
}

function makeAgent(lib) {
  const sockets = new Map();
  let nextHandle = 0;
  const manifest = Object.assign({}, DEFAULT_MANIFEST, lib.manifest || {});

  function sock(req) {
    if (!sockets.has(req.socket)) throw new Error("unknown socket handle " + req.socket);
    return sockets.get(req.socket);
  }
  async function call(method, ...args) {
    if (typeof lib[method] !== "function") {
      throw new UnsupportedError(method + ": not offered by this agent");
    }
    return lib[method](...args);
  }
  async function closeAll() {
    const open = [...sockets.values()];
    sockets.clear();
    for (const s of open) {
      try {
        if (typeof lib.close === "function") await lib.close(s);
      } catch (e) {
        // closing is best effort between cases
      }
    }
  }

  async function handle(req) {
    switch (req.op) {
      case "manifest":
        return Object.assign({ ok: true }, manifest);
      case "socket": {
        if (manifest.socket_types.length && !manifest.socket_types.includes(req.type)) {
          throw new UnsupportedError("socket type " + req.type);
        }
        const s = await call("socket", req.type);
        const h = nextHandle++;
        sockets.set(h, s);
        return { ok: true, socket: h };
      }
      case "setsockopt": {
        const value = HEX_OPTIONS.has(req.option) ? Buffer.from(req.value || "", "hex") : req.value;
        await call("setsockopt", sock(req), req.option, value);
        return { ok: true };
      }
      case "bind": {
        const real = await call("bind", sock(req), req.endpoint);
        return { ok: true, endpoint: real || req.endpoint };
      }
      case "connect":
        await call("connect", sock(req), req.endpoint);
        return { ok: true };
      case "send": {
        const frames = (req.frames || []).map((f) => Buffer.from(f, "hex"));
        if (!frames.length) return { error: "no frames" };
        await call("send", sock(req), frames, waitMs(req, 1000));
        return { ok: true };
      }
      case "recv": {
        const frames = await call("recv", sock(req), waitMs(req, 1000));
        return { ok: true, frames: frames.map((f) => Buffer.from(f).toString("hex")) };
      }
      case "poll": {
        const r = await call("poll", sock(req), waitMs(req, 0));
        return { ok: true, readable: !!r.readable, writable: !!r.writable };
      }
      case "close": {
        const s = sock(req);
        sockets.delete(req.socket);
        await call("close", s);
        return { ok: true };
      }
      case "reset":
        await closeAll();
        return { ok: true };
      case "quit":
        return { ok: true };
      default:
        return { unsupported: "op " + req.op };
    }
  }

  async function answer(req) {
    let ans;
    try {
      ans = await handle(req);
    } catch (e) {
      if (e instanceof UnsupportedError) ans = { unsupported: e.message || "unsupported" };
      else if (e instanceof AgainError) ans = { error: e.message || "timed out", again: true };
      else ans = { error: String(e && e.message ? e.message : e) };
    }
    ans.id = req.id;
    return ans;
  }
  return { answer, closeAll };
}

// Answers each line of `input` (a readable stream) on `output` until
// `quit` or the end of the input; closes what is left.
async function serve(lib, input, output) {
  const agent = makeAgent(lib);
  const rl = readline.createInterface({ input, terminal: false });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      output.write(JSON.stringify({ id: null, error: "bad json: " + e.message }) + "\n");
      continue;
    }
    if (req === null || typeof req !== "object" || Array.isArray(req)) {
      output.write(JSON.stringify({ id: null, error: "a request is a JSON object" }) + "\n");
      continue;
    }
    output.write(JSON.stringify(await agent.answer(req)) + "\n");
    if (req.op === "quit") break;
  }
  rl.close();
  await agent.closeAll();
}

// Runs the agent on standard input and output, and exits when done.
function run(lib) {
  serve(lib, process.stdin, process.stdout).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write("zmtp-agent: " + (e && e.stack ? e.stack : e) + "\n");
      process.exit(1);
    },
  );
}

module.exports = { run, serve, UnsupportedError, AgainError, MAX_WAIT_MS, HEX_OPTIONS };
