"""libzmq's CURVE side of perf/compare, through pyzmq (libzmq 4.3.5 built
with libsodium; the libzmq the zmq crate builds has no CURVE).

usage: python libzmq_curve.py TOOL ENDPOINT [SIZE] COUNT
  local_thr ep size count       PULL, CURVE server, prints throughput
  remote_thr ep size count      PUSH, CURVE client
  local_lat ep size count       REP, CURVE server, echoes
  remote_lat ep size count      REQ, CURVE client, prints latency
  handshake_server ep count     ROUTER, CURVE server, echoes count messages
  handshake_clients ep count    DEALER clients, 16 at a time, one round trip
                                each; prints the handshake rate

The result lines are libzmq's perf tools' (and zmtp_perf::report's). Every
socket has RCVTIMEO, SNDTIMEO and LINGER, so no wait is unbounded. Keys:
the fixed test pairs of zmtp_perf::security, passed in the environment.
ZMTP_CURVE_OFF=1 runs the same loops without CURVE, to measure what
Python itself costs per message (perf/results notes it).
"""

import os
import sys
import time

import zmq

WAIT_MS = 30000
WAVE = 16
SERVER_PUBLIC = os.environ["ZMTP_CURVE_SERVER_PUBLIC"].encode()
SERVER_SECRET = os.environ["ZMTP_CURVE_SERVER_SECRET"].encode()
CLIENT_PUBLIC = os.environ["ZMTP_CURVE_CLIENT_PUBLIC"].encode()
CLIENT_SECRET = os.environ["ZMTP_CURVE_CLIENT_SECRET"].encode()


def socket(ctx, kind, server):
    s = ctx.socket(kind)
    s.setsockopt(zmq.RCVTIMEO, WAIT_MS)
    s.setsockopt(zmq.SNDTIMEO, WAIT_MS)
    s.setsockopt(zmq.LINGER, WAIT_MS)
    if os.environ.get("ZMTP_CURVE_OFF") == "1":
        pass
    elif server:
        s.curve_server = True
        s.curve_publickey = SERVER_PUBLIC
        s.curve_secretkey = SERVER_SECRET
    else:
        s.curve_serverkey = SERVER_PUBLIC
        s.curve_publickey = CLIENT_PUBLIC
        s.curve_secretkey = CLIENT_SECRET
    return s


def check(frame, size):
    if len(frame) != size:
        sys.exit("message of incorrect size received: %d" % len(frame))


def main():
    if not zmq.has("curve"):
        sys.exit("this libzmq has no CURVE")
    tool, ep = sys.argv[1], sys.argv[2]
    ctx = zmq.Context()
    if tool == "local_thr":
        size, count = int(sys.argv[3]), int(sys.argv[4])
        s = socket(ctx, zmq.PULL, True)
        s.bind(ep)
        check(s.recv(), size)
        start = time.perf_counter()
        for _ in range(count - 1):
            check(s.recv(), size)
        us = max((time.perf_counter() - start) * 1e6, 1.0)
        rate = count / us * 1e6
        print("message size: %d [B]" % size)
        print("message count: %d" % count)
        print("mean throughput: %d [msg/s]" % int(rate))
        print("mean throughput: %.3f [Mb/s]" % (rate * size * 8 / 1e6))
    elif tool == "remote_thr":
        size, count = int(sys.argv[3]), int(sys.argv[4])
        s = socket(ctx, zmq.PUSH, False)
        s.connect(ep)
        body = b"\0" * size
        for _ in range(count):
            s.send(body)
    elif tool == "local_lat":
        size, count = int(sys.argv[3]), int(sys.argv[4])
        s = socket(ctx, zmq.REP, True)
        s.bind(ep)
        for _ in range(count):
            m = s.recv()
            check(m, size)
            s.send(m)
    elif tool == "remote_lat":
        size, count = int(sys.argv[3]), int(sys.argv[4])
        s = socket(ctx, zmq.REQ, False)
        s.connect(ep)
        body = b"\0" * size
        start = time.perf_counter()
        for _ in range(count):
            s.send(body)
            check(s.recv(), size)
        elapsed = time.perf_counter() - start
        print("message size: %d [B]" % size)
        print("roundtrip count: %d" % count)
        print("average latency: %.3f [us]" % (elapsed * 1e6 / (count * 2)))
    elif tool == "handshake_server":
        count = int(sys.argv[3])
        s = socket(ctx, zmq.ROUTER, True)
        s.bind(ep)
        for _ in range(count):
            s.send_multipart(s.recv_multipart())
    elif tool == "handshake_clients":
        count = int(sys.argv[3])
        start = time.perf_counter()
        done = 0
        while done < count:
            wave = min(WAVE, count - done)
            socks = []
            for _ in range(wave):
                c = socket(ctx, zmq.DEALER, False)
                c.setsockopt(zmq.LINGER, 0)
                c.connect(ep)
                c.send(b"h")
                socks.append(c)
            for c in socks:
                c.recv()
            for c in socks:
                c.close()
            done += wave
        elapsed = max(time.perf_counter() - start, 1e-6)
        print("handshake rate: %.1f [1/s]" % (count / elapsed))
    else:
        sys.exit("unknown tool %r" % tool)
    ctx.destroy(linger=WAIT_MS)


main()
