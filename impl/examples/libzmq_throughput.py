# libzmq's side of the throughput comparison (impl/examples/throughput.rs):
# PUSH -> PULL over tcp, the PULL timing from its first message as
# libzmq's local_thr does, optionally with CURVE (the PULL is the server).
# The sender runs in a second process, as libzmq's remote_thr does;
# messages are sent in batches from a pre-built list to keep Python's
# per-call cost small next to libzmq's.
#
#   target/peers/pyzmq/bin/python impl/examples/libzmq_throughput.py [COUNT] [SIZE] [curve]
import multiprocessing
import sys
import time

import zmq

# Every wait is bounded: a stalled peer ends the run with zmq.Again
# instead of hanging it.
TIMEOUT_MS = 60_000


def bounded(ctx, kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.LINGER, TIMEOUT_MS)
    return s


def push(endpoint, count, size, server_public):
    ctx = zmq.Context()
    s = bounded(ctx, zmq.PUSH)
    if server_public:
        public, secret = zmq.curve_keypair()
        s.setsockopt(zmq.CURVE_SERVERKEY, server_public)
        s.setsockopt(zmq.CURVE_PUBLICKEY, public)
        s.setsockopt(zmq.CURVE_SECRETKEY, secret)
    s.connect(endpoint)
    payload = b"\x5a" * size
    send = s.send
    for _ in range(count):
        send(payload, copy=True)
    s.close()  # flushes, for at most TIMEOUT_MS (LINGER)
    ctx.term()


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    curve = len(sys.argv) > 3 and sys.argv[3] == "curve"
    ctx = zmq.Context()
    s = bounded(ctx, zmq.PULL)
    server_public = None
    if curve:
        server_public, server_secret = zmq.curve_keypair()
        s.setsockopt(zmq.CURVE_SERVER, 1)
        s.setsockopt(zmq.CURVE_SECRETKEY, server_secret)
    s.bind("tcp://127.0.0.1:*")
    endpoint = s.getsockopt_string(zmq.LAST_ENDPOINT)
    sender = multiprocessing.Process(target=push, args=(endpoint, count, size, server_public))
    sender.start()
    recv = s.recv
    recv(copy=False)
    start = time.perf_counter()
    for _ in range(count - 1):
        recv(copy=False)
    elapsed = time.perf_counter() - start
    sender.join(TIMEOUT_MS / 1000)
    rate = (count - 1) / elapsed
    print(
        f"libzmq {zmq.zmq_version()}: {count} messages of {size} octets over tcp"
        f"{' with CURVE' if curve else ''}: {elapsed:.3f} s, {rate:.0f} msg/s, "
        f"{rate * size * 8 / 1e6:.1f} Mb/s",
        flush=True,
    )
    s.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
