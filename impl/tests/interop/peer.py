# A libzmq (pyzmq) peer driven by JSON lines on stdin, for impl/tests/interop.rs.
# argv: SOCKET_TYPE bind|connect ENDPOINT [OPTION=VALUE ...]
# It prints {"endpoint": ...} once ready, then answers each command.
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

import zmq


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
    for opt in sys.argv[4:]:
        name, value = opt.split("=", 1)
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
    ctx.term()


main()
