"""libzmq's side of impl/tests/departed.rs: the same departed-peer scenarios
run with pyzmq, printing one JSON line of figures the Rust test compares
with ours.

Usage: departed_baseline.py dealer|pair|router|fds TRANSPORT

Every socket has RCVTIMEO, SNDTIMEO and LINGER set, and every wait has a
deadline: the script ends (with an error) rather than hang.
"""

import json
import os
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

TIMEOUT_MS = 5000


def sock(ctx, kind, **options):
    s = ctx.socket(kind)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.LINGER, 0)
    for name, value in options.items():
        s.setsockopt(getattr(zmq, name), value)
    return s


def endpoint(transport):
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    return "ipc://" + os.path.join("/tmp", "zmtp-departed-%d.ipc" % os.getpid())


def wait_for(monitor, event, count=1):
    """Waits (bounded) until `count` events of the kind have been seen."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    seen = 0
    while seen < count:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not monitor.poll(left):
            raise SystemExit("timed out waiting for monitor event %d" % event)
        if recv_monitor_message(monitor)["event"] == event:
            seen += 1


def bound(ctx, kind, transport, **options):
    s = sock(ctx, kind, **options)
    s.bind(endpoint(transport))
    monitor = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED)
    monitor.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    monitor.setsockopt(zmq.LINGER, 0)
    return s, monitor, s.getsockopt(zmq.LAST_ENDPOINT).decode()


def departs(ctx, kind, ep, monitor, settle=True, **options):
    """A peer connects, sends one message the server does not read, and
    goes away."""
    c = sock(ctx, kind, LINGER=TIMEOUT_MS, **options)
    c.connect(ep)
    wait_for(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED)
    c.send(b"unread")
    c.close()  # flushes the message (LINGER), then disconnects
    wait_for(monitor, zmq.EVENT_DISCONNECTED)
    # libzmq's I/O thread reports the disconnect before the socket has
    # processed the pipe's end: a send right after the event may still
    # be written into the dying pipe, and lost. Let the socket catch up.
    if settle:
        time.sleep(0.1)


def dealer(ctx, transport):
    server, monitor, ep = bound(ctx, zmq.DEALER, transport)
    departs(ctx, zmq.DEALER, ep, monitor)
    live = sock(ctx, zmq.DEALER)
    live.connect(ep)
    wait_for(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sent = 0
    for i in range(10):
        server.send(b"%d" % i)
        sent += 1
    delivered = 0
    for _ in range(sent):
        try:
            live.recv()
            delivered += 1
        except zmq.Again:
            break
    unread = server.recv()
    return {"sent": sent, "delivered": delivered, "unread_readable": unread == b"unread"}


def pair(ctx, transport):
    server, monitor, ep = bound(ctx, zmq.PAIR, transport)
    departs(ctx, zmq.PAIR, ep, monitor)
    ok = again = 0
    for _ in range(10):
        try:
            server.send(b"x", zmq.NOBLOCK)
            ok += 1
        except zmq.Again:
            again += 1
    unread = server.recv()
    return {"ok": ok, "would_block": again, "unread_readable": unread == b"unread"}


def router(ctx, transport):
    server, monitor, ep = bound(ctx, zmq.ROUTER, transport, ROUTER_MANDATORY=1)
    departs(ctx, zmq.DEALER, ep, monitor, ROUTING_ID=b"A")
    ok = unreachable = other = 0
    for _ in range(5):
        try:
            server.send_multipart([b"A", b"x"], zmq.NOBLOCK)
            ok += 1
        except zmq.ZMQError as e:
            if e.errno == zmq.EHOSTUNREACH:
                unreachable += 1
            else:
                other += 1
    frames = server.recv_multipart()
    return {
        "ok": ok,
        "unreachable": unreachable,
        "other": other,
        "unread_readable": frames == [b"A", b"unread"],
    }


def fds(ctx, transport):
    server, monitor, ep = bound(ctx, zmq.PULL, transport)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(200):
        departs(ctx, zmq.PUSH, ep, monitor, settle=False)
    after = len(os.listdir("/proc/self/fd"))
    read = 0
    for _ in range(200):
        if server.recv() == b"unread":
            read += 1
    return {"kept": after - before, "read": read}


def main():
    scenario, transport = sys.argv[1], sys.argv[2]
    ctx = zmq.Context()
    figures = globals()[scenario](ctx, transport)
    print(json.dumps(figures), flush=True)
    ctx.destroy(linger=0)


if __name__ == "__main__":
    main()
