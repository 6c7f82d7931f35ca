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
import importlib
import json
import os
import select
import sys


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
        while b"\n" not in self.buf:
            chunk = os.read(0, 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

MODULE = next((a[7:] for a in sys.argv[4:] if a.startswith("MODULE=")), "zmq")
zmq = importlib.import_module(MODULE)


def enc(frames):
    return [f.encode("latin1") for f in frames]


def dec(frames):
    return [f.decode("latin1") for f in frames]


def main():
    kind, mode, endpoint = sys.argv[1:4]
    ctx = zmq.Context()
    s = ctx.socket(getattr(zmq, kind))
    s.setsockopt(zmq.LINGER, 2000)
    # A safety net so a broken test fails instead of hanging CI.
    s.setsockopt(zmq.RCVTIMEO, 30000)
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
        op = cmd["op"]
        if op == "send":
            s.send_multipart(enc(cmd["frames"]))
            print(json.dumps({"ok": True}), flush=True)
        elif op == "send_retry":
            # ROUTER with ROUTER_MANDATORY: retry until the peer is known.
            while True:
                try:
                    s.send_multipart(enc(cmd["frames"]))
                    break
                except zmq.error.ZMQError as e:
                    if e.errno != zmq.EHOSTUNREACH:
                        raise
                    lines.has_line(0.005)
            print(json.dumps({"ok": True}), flush=True)
        elif op == "recv_within":
            # A receive that may time out: {"timeout": true} then.
            s.setsockopt(zmq.RCVTIMEO, cmd["ms"])
            try:
                print(json.dumps({"frames": dec(s.recv_multipart())}), flush=True)
            except zmq.error.Again:
                print(json.dumps({"timeout": True}), flush=True)
            s.setsockopt(zmq.RCVTIMEO, 30000)
        elif op == "recv":
            print(json.dumps({"frames": dec(s.recv_multipart())}), flush=True)
        elif op == "echo":
            s.send_multipart(s.recv_multipart())
            print(json.dumps({"ok": True}), flush=True)
        elif op == "subscribe":
            topic = cmd["topic"].encode("latin1")
            if kind == "XSUB":
                s.send(b"\x01" + topic)
            else:
                s.setsockopt(zmq.SUBSCRIBE, topic)
            print(json.dumps({"ok": True}), flush=True)
        elif op == "publish_until_line":
            # Publish until the test writes another line (it has received).
            while True:
                for frames in cmd["each"]:
                    s.send_multipart(enc(frames))
                if lines.has_line(0.005):
                    lines.next()
                    break
            print(json.dumps({"ok": True}), flush=True)
        elif op == "close":
            s.close()
            print(json.dumps({"ok": True}), flush=True)
        elif op == "exit":
            break
    s.close(linger=2000)
    if auth is not None:
        auth.stop()
    ctx.term()


main()
