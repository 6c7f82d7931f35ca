# A libzmq (pyzmq) peer driven by JSON lines on stdin, for impl/tests/interop.rs.
# argv: SOCKET_TYPE bind|connect ENDPOINT [OPTION=VALUE ...]
# It prints {"endpoint": ...} once ready, then answers each command.
# Pseudo-options (impl/tests/interop/security.rs):
#   MODULE=pyomq          run omq.rs through pyomq instead of libzmq
#   PLAIN_AUTH=user:pass  accept this PLAIN client (pyzmq: a ZAP handler
#                         thread; pyomq: its allow-list)
#   CURVE_AUTH=KEY        accept this CURVE client key, Z85 (pyzmq: any
#                         client, through a ZAP handler thread; pyomq: its
#                         allow-list)
# Every wait is bounded: the socket has RCVTIMEO, SNDTIMEO (TIMEOUT_MS) and
# LINGER 0, a timeout is answered {"error": ...} (the test fails saying
# why), retry loops have deadlines, and with no command for IDLE_S seconds
# the peer exits.
import importlib
import json
import os
import select
import sys
import time

TIMEOUT_MS = 10000
IDLE_S = 120


class Lines:
    """Unbuffered stdin lines, so that select() sees what is pending."""

    def __init__(self):
        self.buf = b""

    def has_line(self, timeout):
        if b"\n" in self.buf:
            return True
        if select.select([0], [], [], timeout)[0]:
            chunk = os.read(0, 65536)
            if not chunk:
                return True
            self.buf += chunk
        return b"\n" in self.buf

    def next(self):
        """The next line, or None at the end of input or after IDLE_S
        seconds without one."""
        deadline = time.monotonic() + IDLE_S
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([0], [], [], left)[0]:
                print("peer.py: no command for %d s, exiting" % IDLE_S, file=sys.stderr)
                return None
            chunk = os.read(0, 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

MODULE = next((a[7:] for a in sys.argv[4:] if a.startswith("MODULE=")), "zmq")
zmq = importlib.import_module(MODULE)


def bounded(s):
    """Every socket: receives and sends time out, close drops what is left."""
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.LINGER, 0)
    return s


def answer(**fields):
    print(json.dumps(fields), flush=True)


def enc(frames):
    return [f.encode("latin1") for f in frames]


def dec(frames):
    return [f.decode("latin1") for f in frames]


def main():
    kind, mode, endpoint = sys.argv[1:4]
    ctx = zmq.Context()
    s = bounded(ctx.socket(getattr(zmq, kind)))
    auth = None
    for opt in sys.argv[4:]:
        name, value = opt.split("=", 1)
        if name == "MODULE":
            continue
        if name in ("PLAIN_AUTH", "CURVE_AUTH") and MODULE == "zmq" and auth is None:
            from zmq.auth.thread import ThreadAuthenticator
            auth = ThreadAuthenticator(ctx)
            auth.start()
        if name == "PLAIN_AUTH":
            user, password = value.split(":", 1)
            if auth is not None:
                auth.configure_plain(domain="*", passwords={user: password})
            else:
                s.set_plain_auth([(user, password)])
            continue
        if name == "CURVE_AUTH":
            if auth is not None:
                auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
            else:
                s.set_curve_auth([value.encode()])
            continue
        try:
            s.setsockopt(getattr(zmq, name), int(value))
        except ValueError:
            s.setsockopt(getattr(zmq, name), value.encode("latin1"))
    if mode == "bind":
        s.bind(endpoint)
    else:
        s.connect(endpoint)
    print(json.dumps({"endpoint": s.getsockopt_string(zmq.LAST_ENDPOINT)}), flush=True)
    lines = Lines()
    while True:
        line = lines.next()
        if line is None:
            break
        cmd = json.loads(line)
        if cmd.get("op") == "exit":
            break
        try:
            run(s, kind, lines, cmd)
        except zmq.error.Again:
            answer(error="%s timed out (%d ms)" % (cmd.get("op"), TIMEOUT_MS))
        except zmq.error.ZMQError as e:
            answer(error="%s: %s" % (cmd.get("op"), e))
    s.close(linger=0)
    if auth is not None:
        auth.stop()
    ctx.term()


# A STREAM peer's connection routing id, once seen.
STREAM = {"id": None}


def run(s, kind, lines, cmd):
    """Runs one command and answers it."""
    op = cmd["op"]
    if op == "send":
        s.send_multipart(enc(cmd["frames"]))
        answer(ok=True)
    elif op == "send_within":
        # A send that may time out: {"timeout": true} then.
        s.setsockopt(zmq.SNDTIMEO, cmd["ms"])
        try:
            s.send_multipart(enc(cmd["frames"]))
            answer(ok=True)
        except zmq.error.Again:
            answer(timeout=True)
        s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    elif op == "send_retry":
        # ROUTER with ROUTER_MANDATORY: retry until the peer is known.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            try:
                s.send_multipart(enc(cmd["frames"]))
                break
            except zmq.error.ZMQError as e:
                if e.errno != zmq.EHOSTUNREACH or time.monotonic() > deadline:
                    raise
                lines.has_line(0.005)
        answer(ok=True)
    elif op == "recv_within":
        # A receive that may time out: {"timeout": true} then.
        s.setsockopt(zmq.RCVTIMEO, cmd["ms"])
        try:
            answer(frames=dec(s.recv_multipart()))
        except zmq.error.Again:
            answer(timeout=True)
        s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    elif op == "recv":
        answer(frames=dec(s.recv_multipart()))
    elif op == "echo":
        s.send_multipart(s.recv_multipart())
        answer(ok=True)
    elif op == "subscribe":
        topic = cmd["topic"].encode("latin1")
        if kind == "XSUB":
            s.send(b"\x01" + topic)
        else:
            s.setsockopt(zmq.SUBSCRIBE, topic)
        answer(ok=True)
    elif op == "publish_until_line":
        # Publish until the test writes another line (it has received).
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not lines.has_line(0.005):
            if time.monotonic() > deadline:
                answer(error="no line within %d ms" % TIMEOUT_MS)
                return
            for frames in cmd["each"]:
                s.send_multipart(enc(frames))
        lines.next()
        answer(ok=True)
    elif op == "stream_send":
        # STREAM: send text to the connection, waiting for its connect
        # notification first if none was seen.
        while STREAM["id"] is None:
            rid, data = s.recv_multipart()
            if data == b"":
                STREAM["id"] = rid
        s.send_multipart([STREAM["id"], cmd["text"].encode("latin1")])
        answer(ok=True)
    elif op == "stream_recv":
        # STREAM: the connection's octets until `want` of them came, and
        # whether a connect notification came first.
        data = b""
        notified = False
        while len(data) < cmd["want"]:
            rid, chunk = s.recv_multipart()
            STREAM["id"] = rid
            if chunk == b"":
                notified = True
            data += chunk
        answer(frames=dec([b"notified" if notified else b"", data]))
    elif op == "stream_wait_close":
        # STREAM: the disconnect notification (an empty data frame).
        while True:
            rid, chunk = s.recv_multipart()
            if chunk == b"" and rid == STREAM["id"]:
                break
        answer(ok=True)
    elif op == "close":
        s.close()
        answer(ok=True)
    else:
        answer(error="unknown op %r" % op)


main()
