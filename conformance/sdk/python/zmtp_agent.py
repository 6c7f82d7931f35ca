"""zmtp_agent: write a zmtp-conformance agent by writing only the socket calls.

The agent contract (conformance/AGENTS.md) is one JSON request per line on
standard input and one JSON answer per line on standard output. This
module does all of it -- reading, parsing, the socket-handle table, hex
frames, answer ids, `reset`, `quit`, timeouts clamped to a bound, errors
and unsupported operations -- and calls the methods of a `Library` that
the author writes with their ZeroMQ implementation:

    import zmtp_agent

    class MyLib(zmtp_agent.Library):
        name = "mylib"
        version = "mylib 1.2"
        socket_types = ["REQ", "REP"]

        def socket(self, kind): ...                 # any object
        def bind(self, sock, endpoint): ...         # the endpoint really bound
        def connect(self, sock, endpoint): ...
        def send(self, sock, frames, timeout_ms): ...   # frames: list of bytes
        def recv(self, sock, timeout_ms): ...           # a list of bytes
        def close(self, sock): ...

    zmtp_agent.run(MyLib())

A method the library does not define is answered `unsupported` (the case
is UNSUPPORTED, never FAIL). In a method, raise `Unsupported("why")` for
something the library cannot do, `Again("why")` when a send or receive
timed out, and any other exception for a refusal or failure (answered
`error` with its text). Nothing here waits: the library's calls must
return within the `timeout_ms` they are given (already clamped to
0..MAX_WAIT_MS), and its sockets should have receive and send timeouts
and linger set (as the example does).
"""

import json
import sys

__all__ = ["Library", "Unsupported", "Again", "serve", "run", "MAX_WAIT_MS",
           "HEX_OPTIONS"]

# The longest wait a request may ask for.
MAX_WAIT_MS = 600000

# Options whose value travels as hex octets (given to the library as
# bytes); every other option's value is an integer.
HEX_OPTIONS = frozenset([
    "ROUTING_ID", "SUBSCRIBE", "UNSUBSCRIBE", "JOIN", "LEAVE",
    "PLAIN_USERNAME", "PLAIN_PASSWORD", "ZAP_DOMAIN",
    "CURVE_PUBLICKEY", "CURVE_SECRETKEY", "CURVE_SERVERKEY", "ZAP_ALLOW",
])


class Unsupported(Exception):
    """The implementation cannot do this: the case is UNSUPPORTED."""


class Again(Exception):
    """A send or receive timed out (or would block)."""


class Library:
    """What an agent drives. Override the attributes and the methods your
    implementation has; leave out the others."""

    #: The name in reports and file names.
    name = "agent"
    #: The implementation's version (libzmq's, for a binding).
    version = "?"
    #: The ZMTP revision it speaks.
    zmtp = "3.1"
    #: Upper-case socket type names it offers.
    socket_types = []
    #: Transports it can bind and connect.
    transports = ["tcp", "ipc"]
    #: Security mechanisms it drives (PLAIN, CURVE need their options).
    mechanisms = ["NULL"]

    def manifest(self):
        """The manifest's fields (override for values known only at run time)."""
        return {
            "name": self.name,
            "version": self.version,
            "zmtp": self.zmtp,
            "socket_types": list(self.socket_types),
            "transports": list(self.transports),
            "mechanisms": list(self.mechanisms),
        }

    def reset(self, sockets):
        """Between cases: closes every socket still open."""
        for s in sockets:
            try:
                self.close(s)
            except Exception:  # closing is best effort between cases
                pass


def _wait(req, default):
    try:
        ms = int(req.get("timeout_ms", default))
    except (TypeError, ValueError):
        ms = default
    return max(0, min(ms, MAX_WAIT_MS))


class _Agent:
    def __init__(self, lib):
        self.lib = lib
        self.sockets = {}
        self.next_handle = 0

    def sock(self, req):
        h = req.get("socket")
        if h not in self.sockets:
            raise KeyError("unknown socket handle %r" % (h,))
        return self.sockets[h]

    def call(self, method, *args):
        f = getattr(self.lib, method, None)
        if f is None:
            raise Unsupported("%s: not offered by this agent" % method)
        return f(*args)

    def handle(self, req):
        op = req.get("op")
        if op == "manifest":
            return dict(ok=True, **self.lib.manifest())
        if op == "socket":
            kind = req.get("type", "")
            if self.lib.socket_types and kind not in self.lib.socket_types:
                raise Unsupported("socket type %s" % kind)
            s = self.call("socket", kind)
            h = self.next_handle
            self.next_handle += 1
            self.sockets[h] = s
            return {"ok": True, "socket": h}
        if op == "setsockopt":
            name = req.get("option", "")
            value = req.get("value")
            if name in HEX_OPTIONS:
                value = bytes.fromhex(value or "")
            self.call("setsockopt", self.sock(req), name, value)
            return {"ok": True}
        if op == "bind":
            real = self.call("bind", self.sock(req), req.get("endpoint", ""))
            return {"ok": True, "endpoint": real or req.get("endpoint", "")}
        if op == "connect":
            self.call("connect", self.sock(req), req.get("endpoint", ""))
            return {"ok": True}
        if op == "send":
            frames = [bytes.fromhex(f) for f in req.get("frames", [])]
            if not frames:
                return {"error": "no frames"}
            self.call("send", self.sock(req), frames, _wait(req, 1000))
            return {"ok": True}
        if op == "recv":
            frames = self.call("recv", self.sock(req), _wait(req, 1000))
            return {"ok": True, "frames": [bytes(f).hex() for f in frames]}
        if op == "poll":
            readable, writable = self.call("poll", self.sock(req), _wait(req, 0))
            return {"ok": True, "readable": bool(readable), "writable": bool(writable)}
        if op == "close":
            s = self.sockets.pop(req.get("socket"), None)
            if s is None:
                return {"error": "unknown socket handle"}
            self.call("close", s)
            return {"ok": True}
        if op == "reset":
            open_sockets = list(self.sockets.values())
            self.sockets.clear()
            self.lib.reset(open_sockets)
            return {"ok": True}
        if op == "quit":
            return {"ok": True}
        return {"unsupported": "op %s" % op}

    def answer(self, req):
        try:
            ans = self.handle(req)
        except Unsupported as e:
            ans = {"unsupported": str(e) or "unsupported"}
        except Again as e:
            ans = {"error": str(e) or "timed out", "again": True}
        except Exception as e:  # the implementation refused: report, go on
            ans = {"error": "%s: %s" % (type(e).__name__, e)}
        ans["id"] = req.get("id")
        return ans


def serve(lib, lines, write):
    """Answers each request of `lines` (strings) through `write` (one JSON
    line each), until `quit` or the end of `lines`; closes what is left."""
    agent = _Agent(lib)
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError as e:
            write(json.dumps({"id": None, "error": "bad json: %s" % e}) + "\n")
            continue
        if not isinstance(req, dict):
            write(json.dumps({"id": None, "error": "a request is a JSON object"}) + "\n")
            continue
        write(json.dumps(agent.answer(req)) + "\n")
        if req.get("op") == "quit":
            break
    lib.reset(list(agent.sockets.values()))
    agent.sockets.clear()


def run(lib):
    """Runs the agent on standard input and output."""
    def write(text):
        sys.stdout.write(text)
        sys.stdout.flush()
    serve(lib, sys.stdin, write)
