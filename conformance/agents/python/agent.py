#!/usr/bin/env python3
"""zmtp-conformance agent for pyzmq-compatible libraries (see ../../AGENTS.md).

Usage: agent.py [--lib zmq|pyomq] [--name NAME]
Drives libzmq through pyzmq (venv or Debian's python3-zmq), or omq.rs
through pyomq, which offers the same API.

No call blocks forever: send, recv and poll wait for the request's
timeout_ms (clamped to 0..MAX_WAIT_MS) through poll and NOBLOCK, and every
socket the agent opens (bounded()) has RCVTIMEO and SNDTIMEO (SAFETY_MS)
and LINGER 0 in case anything else waits on it.
"""

import json
import sys
import time

LIB = "zmq"
NAME = None
args = sys.argv[1:]
while args:
    a = args.pop(0)
    if a == "--lib" and args:
        LIB = args.pop(0)
    elif a == "--name" and args:
        NAME = args.pop(0)

if LIB == "pyomq":
    import pyomq as zmq  # noqa: E402
else:
    import zmq  # noqa: E402

TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
         "STREAM"]
HEX_OPTIONS = {"ROUTING_ID", "SUBSCRIBE", "UNSUBSCRIBE"}
INT_OPTIONS = ["LINGER", "SNDHWM", "RCVHWM", "RECONNECT_IVL", "HEARTBEAT_IVL", "HEARTBEAT_TIMEOUT",
               "HEARTBEAT_TTL", "ROUTER_MANDATORY", "XPUB_VERBOSE", "MAXMSGSIZE", "STREAM_NOTIFY"]
# Security options (added by the security cases): keys travel as Z85 text.
HEX_OPTIONS |= {"PLAIN_USERNAME", "PLAIN_PASSWORD", "CURVE_PUBLICKEY", "CURVE_SECRETKEY",
                "CURVE_SERVERKEY", "ZAP_DOMAIN"}
INT_OPTIONS += ["PLAIN_SERVER", "CURVE_SERVER"]

# The longest wait a request may ask for, and the timeouts every socket
# gets (the runner passes timeout_ms for the waits it means).
MAX_WAIT_MS = 600000
SAFETY_MS = 10000

ctx = zmq.Context()
sockets = {}
next_handle = 0


def bounded(s):
    """Every socket: receives and sends give up, close drops what is left."""
    s.setsockopt(zmq.RCVTIMEO, SAFETY_MS)
    s.setsockopt(zmq.SNDTIMEO, SAFETY_MS)
    s.setsockopt(zmq.LINGER, 0)
    return s


def wait_ms(req, default):
    """The request's timeout_ms, within 0..MAX_WAIT_MS (never forever)."""
    return max(0, min(int(req.get("timeout_ms", default)), MAX_WAIT_MS))


def manifest():
    if LIB == "pyomq":
        name = NAME or "pyomq"
        version = "pyomq %s" % getattr(zmq, "__version__", "?")
        zmtp = "3.1"
    else:
        name = NAME or "pyzmq"
        version = "libzmq %s (pyzmq %s)" % (zmq.zmq_version(), zmq.__version__)
        zmtp = "3.1" if zmq.zmq_version_info() >= (4, 3, 3) else "3.0"
    types = [t for t in TYPES if hasattr(zmq, t)]
    return {"name": name, "version": version, "zmtp": zmtp, "socket_types": types,
            "transports": ["tcp", "ipc"], "mechanisms": mechanisms()}


def mechanisms():
    out = ["NULL"]
    if hasattr(zmq, "PLAIN_SERVER"):
        out.append("PLAIN")
    has = getattr(zmq, "has", None)
    if hasattr(zmq, "CURVE_SERVER") and (has is None or has("curve")):
        out.append("CURVE")
    return out


# One ZAP handler (RFC 27) at inproc://zeromq.zap.01, started on first use,
# in a thread. With no policy (ZAP_ALLOW, or after a reset) it accepts PLAIN
# "username:password" or a CURVE client key (Z85) equal to the last
# ZAP_ALLOW value, refuses others with 400, and accepts everyone after a
# reset (as libzmq without a handler does for CURVE). With a policy
# (zap_handler) it answers every request with the policy's frames after the
# policy's delay, and logs every request with every frame as its socket
# received it (zap_log). The socket is REP or ROUTER as the policy says;
# each receive waits at most ZAP_POLL_MS, so the thread sees a change.
ZAP_POLL_MS = 100
zap_lock = None
zap_state = {"allowed": None, "policy": None, "log": [], "kind": None, "want": "REP"}
zap_thread = None


def zap_reply_for(req, policy, kind):
    envelope, body = [], req
    if kind == "ROUTER":
        cut = next((i + 1 for i, f in enumerate(req) if len(f) == 0), 0)
        envelope, body = req[:cut], req[cut:]
    if policy is not None:
        request_id = policy["request_id"]
        if request_id is None:
            request_id = body[1] if len(body) > 1 else b""
        return envelope + [policy["version"], request_id, policy["status"],
                           policy["status_text"], policy["user_id"], policy["metadata"]]
    request_id = body[1] if len(body) > 1 else b""
    mech, creds = (body[5], body[6:]) if len(body) > 5 else (b"", [])
    presented = None
    if mech == b"PLAIN" and len(creds) == 2:
        presented = creds[0] + b":" + creds[1]
    elif mech == b"CURVE" and len(creds) == 1:
        try:
            from zmq.utils import z85
            presented = z85.encode(creds[0])
        except Exception:
            presented = None
    allowed = zap_state["allowed"]
    if allowed is None or presented == allowed:
        return envelope + [b"1.0", request_id, b"200", b"OK", b"allowed", b""]
    return envelope + [b"1.0", request_id, b"400", b"not allowed", b"", b""]


def zap_open(kind):
    s = bounded(ctx.socket(getattr(zmq, kind)))
    s.setsockopt(zmq.RCVTIMEO, ZAP_POLL_MS)
    s.bind("inproc://zeromq.zap.01")
    return s


def zap_loop(s):
    while True:
        with zap_lock:
            want = zap_state["want"]
        if want != zap_state["kind"]:
            try:
                s.unbind("inproc://zeromq.zap.01")
            except Exception:
                pass
            s.close(0)
            s = zap_open(want)
            with zap_lock:
                zap_state["kind"] = want
        try:
            req = s.recv_multipart()
        except zmq.Again:
            continue  # RCVTIMEO: nobody asked meanwhile
        except Exception:
            return
        with zap_lock:
            zap_state["log"].append(req)
            policy = zap_state["policy"]
            kind = zap_state["kind"]
        if policy is not None and policy["delay_ms"] > 0:
            time.sleep(policy["delay_ms"] / 1000.0)
        try:
            s.send_multipart(zap_reply_for(req, policy, kind))
        except zmq.Again:
            continue  # SNDTIMEO: the asking socket went away
        except Exception:
            return


def zap_start(kind):
    """Starts the handler thread (once), or asks it to switch to kind and
    waits (bounded) until it has."""
    global zap_thread, zap_lock
    import threading
    if zap_thread is None:
        zap_lock = threading.Lock()
        zap_state["want"] = kind
        zap_state["kind"] = kind
        s = zap_open(kind)
        zap_thread = threading.Thread(target=zap_loop, args=(s,), daemon=True)
        zap_thread.start()
        return
    with zap_lock:
        zap_state["want"] = kind
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        with zap_lock:
            if zap_state["kind"] == kind:
                return
        time.sleep(0.01)
    raise RuntimeError("the ZAP handler did not switch to %s" % kind)


def zap_allow(value):
    zap_start(zap_state["kind"] or "REP")
    with zap_lock:
        zap_state["allowed"] = value


def zap_handler(req):
    """The zap_handler op: the policy (AGENTS.md), the log cleared."""
    kind = req.get("socket_type", "ROUTER")
    if kind not in ("REP", "ROUTER"):
        return {"error": "socket_type %s" % kind}
    rid = req.get("request_id")
    policy = {
        "status": req.get("status", "200").encode(),
        "status_text": req.get("status_text", "OK").encode(),
        "user_id": bytes.fromhex(req.get("user_id", "")),
        "metadata": bytes.fromhex(req.get("metadata", "")),
        "delay_ms": max(0, min(int(req.get("delay_ms", 0)), 10000)),
        "version": bytes.fromhex(req.get("version", b"1.0".hex())),
        "request_id": None if rid is None else bytes.fromhex(rid),
    }
    zap_start(kind)
    with zap_lock:
        zap_state["policy"] = policy
        zap_state["log"] = []
    return {"ok": True}


def zap_log():
    if zap_lock is None:
        return {"ok": True, "requests": []}
    with zap_lock:
        log = list(zap_state["log"])
    return {"ok": True, "requests": [[bytes(f).hex() for f in r] for r in log]}


def properties(frame, names):
    """The properties names of a received message (zmq_msg_gets), hex or None."""
    out = {}
    for n in names:
        try:
            v = frame.get(n)
        except Exception:
            v = None
        if isinstance(v, str):
            v = v.encode()
        out[n] = None if v is None else bytes(v).hex()
    return out


def sock(req):
    s = sockets.get(req.get("socket"))
    if s is None:
        raise KeyError("unknown socket handle %r" % req.get("socket"))
    return s


def option(name):
    opt = getattr(zmq, name, None)
    if opt is None and name == "ROUTING_ID":
        opt = getattr(zmq, "IDENTITY", None)
    return opt


def handle(req):
    global next_handle
    op = req.get("op")
    if op == "manifest":
        return dict(ok=True, **manifest())
    if op == "socket":
        t = req.get("type", "")
        if t not in TYPES or not hasattr(zmq, t):
            return {"unsupported": "socket type %s" % t}
        s = bounded(ctx.socket(getattr(zmq, t)))
        h = next_handle
        next_handle += 1
        sockets[h] = s
        return {"ok": True, "socket": h}
    if op == "setsockopt":
        s = sock(req)
        name = req.get("option", "")
        if name == "ZAP_ALLOW" and LIB == "pyomq":
            # omq.rs has no ZAP handler: its allow-lists take the same role.
            value = bytes.fromhex(req.get("value", ""))
            if getattr(s, "plain_server", False):
                user, _, password = value.decode().partition(":")
                s.set_plain_auth([(user, password)])
            else:
                s.set_curve_auth([value])
            return {"ok": True}
        if name == "ZAP_ALLOW":
            try:
                zap_allow(bytes.fromhex(req.get("value", "")))
            except Exception as e:  # no inproc ZAP handler in this library
                return {"unsupported": "ZAP handler: %s" % e}
            return {"ok": True}
        opt = option(name)
        if opt is None or (name not in HEX_OPTIONS and name not in INT_OPTIONS):
            return {"unsupported": "option %s" % name}
        value = req.get("value")
        if name in HEX_OPTIONS:
            value = bytes.fromhex(value)
        s.setsockopt(opt, value)
        return {"ok": True}
    if op == "bind":
        s = sock(req)
        s.bind(req["endpoint"])
        ep = s.getsockopt(zmq.LAST_ENDPOINT)
        if isinstance(ep, bytes):
            ep = ep.decode()
        return {"ok": True, "endpoint": ep}
    if op == "connect":
        sock(req).connect(req["endpoint"])
        return {"ok": True}
    if op == "send":
        s = sock(req)
        frames = [bytes.fromhex(f) for f in req.get("frames", [])]
        if not frames:
            return {"error": "no frames"}
        deadline = time.monotonic() + wait_ms(req, 1000) / 1000.0
        while True:
            left = max(0, int((deadline - time.monotonic()) * 1000))
            if s.poll(left, zmq.POLLOUT) & zmq.POLLOUT:
                try:
                    s.send_multipart(frames, flags=zmq.NOBLOCK)
                    return {"ok": True}
                except zmq.Again:
                    pass
            if time.monotonic() >= deadline:
                return {"error": "send timed out", "again": True}
    if op == "recv":
        s = sock(req)
        # POLLIN may be raised by a message the socket then drops (REQ
        # discarding a reply from the wrong peer): poll again until the
        # deadline.
        deadline = time.monotonic() + wait_ms(req, 1000) / 1000.0
        while True:
            left = max(0, int((deadline - time.monotonic()) * 1000))
            if s.poll(left, zmq.POLLIN) & zmq.POLLIN:
                try:
                    names = req.get("properties")
                    if names is not None and LIB == "pyomq":
                        return {"unsupported": "message properties (pyomq)"}
                    frames = s.recv_multipart(flags=zmq.NOBLOCK, copy=names is None)
                    ans = {"ok": True, "frames": [bytes(f).hex() for f in frames]}
                    if names is not None:
                        ans["properties"] = properties(frames[0], names)
                    return ans
                except zmq.Again:
                    pass
            if time.monotonic() >= deadline:
                return {"error": "recv timed out", "again": True}
    if op == "poll":
        s = sock(req)
        ev = s.poll(wait_ms(req, 0), zmq.POLLIN | zmq.POLLOUT)
        return {"ok": True, "readable": bool(ev & zmq.POLLIN), "writable": bool(ev & zmq.POLLOUT)}
    if op == "close":
        s = sockets.pop(req.get("socket"), None)
        if s is None:
            return {"error": "unknown socket handle"}
        s.close(0)
        return {"ok": True}
    if op == "zap_handler":
        if LIB == "pyomq":
            return {"unsupported": "no ZAP handler in omq.rs (its allow-lists take the role)"}
        return zap_handler(req)
    if op == "zap_log":
        if LIB == "pyomq":
            return {"unsupported": "no ZAP handler in omq.rs"}
        return zap_log()
    if op == "reset":
        if zap_lock is not None:
            with zap_lock:
                zap_state["allowed"] = None
                zap_state["policy"] = None
                zap_state["log"] = []
        for s in sockets.values():
            s.close(0)
        sockets.clear()
        return {"ok": True}
    if op == "quit":
        return {"ok": True}
    return {"unsupported": "op %s" % op}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError as e:
            sys.stdout.write(json.dumps({"id": None, "error": "bad json: %s" % e}) + "\n")
            sys.stdout.flush()
            continue
        try:
            ans = handle(req)
        except Exception as e:  # the implementation refused: report, keep going
            ans = {"error": "%s: %s" % (type(e).__name__, e)}
        ans["id"] = req.get("id")
        sys.stdout.write(json.dumps(ans) + "\n")
        sys.stdout.flush()
        if req.get("op") == "quit":
            break
    for s in sockets.values():
        s.close(0)
    sockets.clear()


if __name__ == "__main__":
    main()
