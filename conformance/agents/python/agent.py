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


# ZAP_ALLOW: one ZAP handler (RFC 27) at inproc://zeromq.zap.01, started on
# first use; it accepts PLAIN "username:password" or a CURVE client key (Z85)
# equal to the last ZAP_ALLOW value, refuses others with 400, and accepts
# everyone after a reset (as libzmq without a handler does for CURVE).
zap_allowed = None
zap_thread = None


def zap_loop(rep):
    while True:
        try:
            req = rep.recv_multipart()
        except zmq.Again:
            continue  # RCVTIMEO: nobody asked meanwhile
        except Exception:
            return
        version, request_id, mech, creds = req[0], req[1], req[5], req[6:]
        presented = None
        if mech == b"PLAIN" and len(creds) == 2:
            presented = creds[0] + b":" + creds[1]
        elif mech == b"CURVE" and len(creds) == 1:
            try:
                from zmq.utils import z85
                presented = z85.encode(creds[0])
            except Exception:
                presented = None
        if zap_allowed is None or presented == zap_allowed:
            reply = [b"1.0", request_id, b"200", b"OK", b"allowed", b""]
        else:
            reply = [b"1.0", request_id, b"400", b"not allowed", b"", b""]
        try:
            rep.send_multipart(reply)
        except zmq.Again:
            continue  # SNDTIMEO: the asking socket went away
        except Exception:
            return


def zap_allow(value):
    global zap_allowed, zap_thread
    import threading
    zap_allowed = value
    if zap_thread is None:
        rep = bounded(ctx.socket(zmq.REP))
        rep.bind("inproc://zeromq.zap.01")
        zap_thread = threading.Thread(target=zap_loop, args=(rep,), daemon=True)
        zap_thread.start()


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
    global next_handle, zap_allowed
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
                    frames = s.recv_multipart(flags=zmq.NOBLOCK)
                    return {"ok": True, "frames": [bytes(f).hex() for f in frames]}
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
    if op == "reset":
        zap_allowed = None
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
