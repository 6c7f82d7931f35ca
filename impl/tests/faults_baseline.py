"""libzmq's side of impl/tests/faults: the same fault scenarios run with
pyzmq (libzmq 4.3.5), printing one JSON object of figures that the Rust
test prints beside ours and checks against the same promise.

Usage: faults_baseline.py SCENARIO ARGS...   (see each function)

Wire octets a raw peer sends are built by the Rust side with zmtp-spec's
encoder and handed over as hex (or in a file of hex lines): nothing is
laid out by hand here.

Every ZeroMQ socket has RCVTIMEO, SNDTIMEO and LINGER set, every raw
socket a timeout, and every wait a deadline: the script ends (with an
error) rather than hang. A child process it starts is killed on exit.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

TIMEOUT_MS = 10000
TIMEOUT = TIMEOUT_MS / 1000
SLACK = 8


def sock(ctx, kind, **options):
    """A socket whose every wait is bounded."""
    s = ctx.socket(kind)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.LINGER, 0)
    for name, value in options.items():
        s.setsockopt(getattr(zmq, name), value)
    return s


def monitored(s, events):
    """A monitor of `s` for `events`, bounded like every socket."""
    m = s.get_monitor_socket(events)
    m.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    m.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    m.setsockopt(zmq.LINGER, 0)
    return m


def wait_event(monitor, event, limit=TIMEOUT):
    """True once `event` is seen on `monitor` within `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not monitor.poll(left):
            return False
        if recv_monitor_message(monitor)["event"] == event:
            return True


def endpoint_of(s):
    return s.getsockopt(zmq.LAST_ENDPOINT).decode()


def host_port(ep):
    host, port = ep[len("tcp://"):].rsplit(":", 1)
    return host, int(port)


def fds():
    return len(os.listdir("/proc/self/fd"))


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS")


def settle(target, measure, limit=5.0):
    """Waits (bounded) until measure() <= target; returns the last value."""
    deadline = time.monotonic() + limit
    while True:
        now = measure()
        if now <= target or time.monotonic() >= deadline:
            return now
        time.sleep(0.02)


class PeakRss:
    """The peak resident set while it runs, sampled every millisecond."""

    def __init__(self):
        self.peak = rss_kb()
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kb())
            time.sleep(0.001)

    def done(self):
        self.stop = True
        self.thread.join(TIMEOUT)
        return max(self.peak, rss_kb())


def octets(arg):
    """Octets given as hex, or as `@PATH` of a file of hex."""
    if arg.startswith("@"):
        with open(arg[1:]) as f:
            return bytes.fromhex(f.read())
    return bytes.fromhex(arg)


def raw_connect(ep):
    c = socket.create_connection(host_port(ep), timeout=TIMEOUT)
    return c


def closed_by_them(c, limit=TIMEOUT):
    """Reads until the other side closes; True if it did within `limit`."""
    c.settimeout(limit)
    try:
        while True:
            if not c.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def read_exact(c, n):
    out = b""
    while len(out) < n:
        chunk = c.recv(n - len(out))
        if not chunk:
            raise SystemExit("the other side closed")
        out += chunk
    return out


def null_handshake(c, ours):
    """Sends our greeting and READY (built by the Rust side); reads theirs
    (the greeting, then the READY frame, whose length is its second octet
    for a short frame)."""
    c.sendall(ours)
    read_exact(c, 64)
    flags = read_exact(c, 1)[0]
    size = int.from_bytes(read_exact(c, 8), "big") if flags & 2 else read_exact(c, 1)[0]
    read_exact(c, size)


# ---- 1. stalled handshakes ------------------------------------------------


def stalled(ctx, n, ivl_ms, octet_hex):
    n, ivl_ms, octet = int(n), int(ivl_ms), octets(octet_hex)
    pull = sock(ctx, zmq.PULL)
    default_ivl = pull.getsockopt(zmq.HANDSHAKE_IVL)
    pull.setsockopt(zmq.HANDSHAKE_IVL, ivl_ms)
    pull.bind("tcp://127.0.0.1:*")
    ep = endpoint_of(pull)
    time.sleep(0.05)
    base = fds()
    clients = []
    for _ in range(n):
        c = raw_connect(ep)
        c.sendall(octet)
        clients.append(c)
    push = sock(ctx, zmq.PUSH)
    push.connect(ep)
    push.send(b"good")
    served = pull.recv() == b"good"
    push.close()
    closed = sum(1 for c in clients if closed_by_them(c))
    held = settle(base + n, fds) - (base + n)
    for c in clients:
        c.close()
    after = settle(base, fds) - base
    return {
        "stalled": n,
        "closed": closed,
        "server_fds_kept": max(held, 0),
        "fds_after": max(after, 0),
        "default_ivl_ms": default_ivl,
        "good_served": served,
    }


# ---- 2. 1 MiB flood, MAXMSGSIZE -------------------------------------------


def flood(ctx, rcvhwm, cap, handshake_hex, header_hex):
    rcvhwm, cap = int(rcvhwm), int(cap)
    handshake, header = octets(handshake_hex), octets(header_hex)
    pull = sock(ctx, zmq.PULL, RCVHWM=rcvhwm)
    pull.bind("tcp://127.0.0.1:*")
    c = raw_connect(endpoint_of(pull))
    null_handshake(c, handshake)
    body = b"\xa5" * (1 << 20)
    base = rss_kb()
    peak = PeakRss()
    written, stalled = 0, False
    c.settimeout(1.0)
    while written < cap:
        try:
            c.sendall(header)
            c.sendall(body)
            written += 1
        except socket.timeout:
            stalled = True
            break
    time.sleep(0.2)
    growth = peak.done() - base
    delivered = 0
    for _ in range(written):
        if len(pull.recv()) == len(body):
            delivered += 1
    c.close()
    return {
        "written": written,
        "stalled": stalled,
        "delivered": delivered,
        "peak_growth_kb": growth,
    }


def maxmsgsize(ctx, limit, handshake_hex, bytes_hex):
    pull = sock(ctx, zmq.PULL, MAXMSGSIZE=int(limit))
    monitor = monitored(pull, zmq.EVENT_DISCONNECTED)
    pull.bind("tcp://127.0.0.1:*")
    c = raw_connect(endpoint_of(pull))
    null_handshake(c, octets(handshake_hex))
    try:
        c.sendall(octets(bytes_hex))
    except (ConnectionResetError, BrokenPipeError):
        pass
    disconnected = wait_event(monitor, zmq.EVENT_DISCONNECTED)
    closed = closed_by_them(c)
    pull.setsockopt(zmq.RCVTIMEO, 300)
    sizes = []
    while True:
        try:
            sizes.append(len(pull.recv()))
        except zmq.Again:
            break
    return {
        "disconnected": disconnected,
        "closed": closed,
        "delivered_sizes": sizes,
        "oversize_delivered": sum(1 for n in sizes if n > int(limit)),
    }


# ---- 3. a slow 2^62-octet frame -------------------------------------------


def closed_within(c, wait):
    """Whether the other side closed within `wait` seconds (an ERROR it
    sends first is read and passed over)."""
    deadline = time.monotonic() + wait
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            c.settimeout(left)
            if not c.recv(256):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def slow_frame(ctx, maxmsgsize, handshake_hex, header_hex, steps, octets_per_step, every_ms):
    pull = sock(ctx, zmq.PULL, MAXMSGSIZE=int(maxmsgsize))
    monitor = monitored(pull, zmq.EVENT_DISCONNECTED)
    pull.bind("tcp://127.0.0.1:*")
    ep = endpoint_of(pull)
    c = raw_connect(ep)
    null_handshake(c, octets(handshake_hex))
    base = rss_kb()
    peak = PeakRss()
    c.sendall(octets(header_hex))
    closed_at_header = closed_within(c, 0.3)
    trickled = 0
    if not closed_at_header:
        for _ in range(int(steps)):
            time.sleep(int(every_ms) / 1000)
            try:
                c.sendall(b"\x5a" * int(octets_per_step))
                trickled += int(octets_per_step)
            except (ConnectionResetError, BrokenPipeError):
                break
    open_after = not closed_at_header and not closed_within(c, int(every_ms) / 1000)
    growth = peak.done() - base
    disconnected = closed_at_header and wait_event(monitor, zmq.EVENT_DISCONNECTED)
    push = sock(ctx, zmq.PUSH)
    push.connect(ep)
    push.send(b"good")
    good = pull.recv() == b"good"
    c.close()
    return {
        "closed_at_header": closed_at_header,
        "disconnected_event": disconnected,
        "open_after_trickle": open_after,
        "trickled": trickled,
        "peak_growth_kb": growth,
        "good_served": good,
    }


# ---- 4. HWM per pattern -----------------------------------------------------


def hwm_sock(ctx, kind, hwm):
    return sock(ctx, kind, SNDHWM=hwm, RCVHWM=hwm)


def error_name(e):
    if isinstance(e, zmq.Again):
        return "would_block"
    if e.errno == zmq.EHOSTUNREACH:
        return "unreachable"
    return "other"


def drain(s):
    """Receives until nothing comes for 500 ms."""
    s.setsockopt(zmq.RCVTIMEO, 500)
    got = []
    deadline = time.monotonic() + TIMEOUT * 2
    while time.monotonic() < deadline:
        try:
            got.append(s.recv_multipart())
        except zmq.Again:
            break
    return got


def push_no_peer(ctx, hwm, payload, tries):
    hwm = int(hwm)
    push = hwm_sock(ctx, zmq.PUSH, hwm)
    push.setsockopt(zmq.SNDTIMEO, 100)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    push.connect("tcp://127.0.0.1:%d" % port)
    accepted = would_block = 0
    for _ in range(2 * hwm):
        try:
            push.send(b"x", zmq.NOBLOCK)
            accepted += 1
        except zmq.Again:
            would_block += 1
    try:
        push.send(b"x")
        send = "ok"
    except zmq.Again:
        # libzmq's SNDTIMEO ends in EAGAIN: our TimedOut.
        send = "timed_out"
    return {"accepted": accepted, "would_block": would_block, "send": send}


def pub_full(ctx, hwm, payload, tries):
    hwm, payload = int(hwm), b"\x5a" * int(payload)
    pub = hwm_sock(ctx, zmq.PUB, hwm)
    pub.bind("tcp://127.0.0.1:*")
    sub = hwm_sock(ctx, zmq.SUB, hwm)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(endpoint_of(pub))
    sub.setsockopt(zmq.RCVTIMEO, 50)
    deadline = time.monotonic() + TIMEOUT
    while True:
        if time.monotonic() > deadline:
            raise SystemExit("the subscription never arrived")
        pub.send(b"warm", zmq.NOBLOCK)
        try:
            sub.recv()
            break
        except zmq.Again:
            pass
    drain(sub)
    sent, errors = 1000, 0
    for i in range(sent):
        try:
            pub.send_multipart([i.to_bytes(4, "big"), payload], zmq.NOBLOCK)
        except zmq.ZMQError:
            errors += 1
    got = drain(sub)
    indices = [int.from_bytes(m[0][:4], "big") for m in got]
    return {
        "sent": sent,
        "errors": errors,
        "delivered": len(got),
        "dropped": sent - len(got),
        "in_order": all(a < b for a, b in zip(indices, indices[1:])),
    }


def router_mandatory(ctx, hwm, payload, tries):
    hwm, payload, tries = int(hwm), b"\x5a" * int(payload), int(tries)
    router = hwm_sock(ctx, zmq.ROUTER, hwm)
    router.setsockopt(zmq.ROUTER_MANDATORY, 1)
    router.bind("tcp://127.0.0.1:*")
    dealer = hwm_sock(ctx, zmq.DEALER, hwm)
    dealer.setsockopt(zmq.ROUTING_ID, b"A")
    dealer.connect(endpoint_of(router))
    dealer.send(b"hello")
    assert router.recv_multipart()[0] == b"A"
    accepted, first_error = 0, "none"
    for _ in range(tries):
        try:
            router.send_multipart([b"A", payload], zmq.NOBLOCK)
            accepted += 1
        except zmq.ZMQError as e:
            first_error = error_name(e)
            break
    unknown = 0
    for _ in range(5):
        try:
            router.send_multipart([b"B", b"x"], zmq.NOBLOCK)
        except zmq.ZMQError as e:
            if e.errno == zmq.EHOSTUNREACH:
                unknown += 1
    delivered = len(drain(dealer))
    return {
        "accepted": accepted,
        "first_error": first_error,
        "unknown_unreachable": unknown,
        "lost": accepted - delivered,
    }


def xpub_nodrop(ctx, hwm, payload, tries):
    hwm, payload, tries = int(hwm), b"\x5a" * int(payload), int(tries)
    xpub = hwm_sock(ctx, zmq.XPUB, hwm)
    xpub.setsockopt(zmq.XPUB_NODROP, 1)
    xpub.bind("tcp://127.0.0.1:*")
    sub = hwm_sock(ctx, zmq.SUB, hwm)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(endpoint_of(xpub))
    assert xpub.recv() == b"\x01"
    accepted, first_error = 0, "none"
    for _ in range(tries):
        try:
            xpub.send(payload, zmq.NOBLOCK)
            accepted += 1
        except zmq.ZMQError as e:
            first_error = error_name(e)
            break
    delivered = len(drain(sub))
    return {"accepted": accepted, "first_error": first_error, "lost": accepted - delivered}


# ---- 5. connect / send / close cycles --------------------------------------


def octet_lines(path):
    with open(path) as f:
        return [bytes.fromhex(line) for line in f.read().split()]


def cycles(ctx, n, handshake_hex, bodies_path):
    n, handshake, bodies = int(n), octets(handshake_hex), octet_lines(bodies_path)
    router = sock(ctx, zmq.ROUTER)
    router.bind("tcp://127.0.0.1:*")
    ep = endpoint_of(router)

    def cycle(i):
        if i % 10 == 0:
            dealer = sock(ctx, zmq.DEALER, LINGER=TIMEOUT_MS)
            dealer.connect(ep)
            dealer.send(b"cycle-%08d" % i)
            dealer.close()
        else:
            c = raw_connect(ep)
            null_handshake(c, handshake)
            c.sendall(bodies[i])
            c.close()

    for i in (n, n + 1):
        cycle(i)
        router.recv_multipart()
    time.sleep(0.2)
    fds0, rss0 = fds(), rss_kb()
    seen, duplicates, rss_half = set(), 0, None
    # Two halves, the memory measured over the second, as ours.
    for half in (range(0, n // 2), range(n // 2, n)):
        for i in half:
            cycle(i)
        while len(seen) < half.stop:
            frames = router.recv_multipart()
            if frames[1] in seen:
                duplicates += 1
            seen.add(frames[1])
        if rss_half is None:
            rss_half = rss_kb()
    missing = len({b"cycle-%08d" % i for i in range(n)} - seen)
    kept = settle(fds0, fds) - fds0
    return {
        "cycles": n,
        "read": len(seen),
        "missing": missing,
        "duplicates": duplicates,
        "fds_kept": kept,
        "rss_growth_first_half_kb": rss_half - rss0,
        "rss_growth_second_half_kb": rss_kb() - rss_half,
    }


# ---- 6. distinct subscriptions -------------------------------------------


def subscriptions(ctx, n, handshake_hex, subs_hex, last):
    n, last = int(n), last.encode()
    subs = octets(subs_hex)
    xpub = sock(ctx, zmq.XPUB)
    xpub.bind("tcp://127.0.0.1:*")
    ep = endpoint_of(xpub)
    c = raw_connect(ep)
    null_handshake(c, octets(handshake_hex))
    rss0 = rss_kb()
    writer = threading.Thread(target=c.sendall, args=(subs,), daemon=True)
    writer.start()
    passed_up = 0
    while passed_up < n:
        if xpub.recv()[:1] == b"\x01":
            passed_up += 1
    writer.join(TIMEOUT)
    growth = rss_kb() - rss0
    xpub.send(last)
    # The message back: a short frame, flags then size then body.
    flags = read_exact(c, 1)[0]
    size = int.from_bytes(read_exact(c, 8), "big") if flags & 2 else read_exact(c, 1)[0]
    matched = read_exact(c, size) == last
    sub = sock(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"good")
    sub.connect(ep)
    assert xpub.recv() == b"\x01good"
    xpub.send(b"good news")
    good = sub.recv() == b"good news"
    c.close()
    return {
        "subscriptions": n,
        "passed_up": passed_up,
        "rss_growth_kb": growth,
        "per_subscription_b": growth * 1024 // n,
        "last_matched": matched,
        "good_served": good,
    }


# ---- 7. CURVE under attack ------------------------------------------------


def curve_server(ctx):
    public, secret = zmq.curve_keypair()
    pull = sock(ctx, zmq.PULL, CURVE_SERVER=1, CURVE_SECRETKEY=secret)
    monitor = monitored(
        pull,
        zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
        | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
        | zmq.EVENT_HANDSHAKE_FAILED_AUTH,
    )
    pull.bind("tcp://127.0.0.1:*")
    return pull, monitor, public


def good_exchange(ctx, pull, server_public, ep, body):
    """A good CURVE client connects, sends `body`, the server receives it;
    the seconds that took."""
    public, secret = zmq.curve_keypair()
    push = sock(
        ctx, zmq.PUSH, CURVE_SERVERKEY=server_public, CURVE_PUBLICKEY=public, CURVE_SECRETKEY=secret
    )
    start = time.monotonic()
    push.connect(ep)
    push.send(body)
    assert pull.recv() == body
    took = time.monotonic() - start
    push.close()
    return took


def split_frames(stream):
    """The frames of a captured stream after its greeting, as (flags,
    body, the frame's octets)."""
    out, i = [], 64
    while i < len(stream):
        flags = stream[i]
        if flags & 2:
            size, head = int.from_bytes(stream[i + 1:i + 9], "big"), 9
        else:
            size, head = stream[i + 1], 2
        out.append((flags, stream[i + head:i + head + size], stream[i:i + head + size]))
        i += head + size
    return out


def named(frames, name):
    for _, body, octets_ in frames:
        if body[:1 + len(name)] == bytes([len(name)]) + name:
            return body, octets_
    raise SystemExit("no %s captured" % name)


def read_frame(c):
    flags = read_exact(c, 1)[0]
    size = int.from_bytes(read_exact(c, 8), "big") if flags & 2 else read_exact(c, 1)[0]
    return read_exact(c, size)


def count_failures(monitor):
    n = 0
    while monitor.poll(300):
        recv_monitor_message(monitor)
        n += 1
    return n


def curve_replay(ctx):
    pull, monitor, server_public = curve_server(ctx)
    ep = endpoint_of(pull)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(TIMEOUT)
    up, down = bytearray(), bytearray()

    def proxy():
        client, _ = listener.accept()
        server = raw_connect(ep)

        def pump(src, dst, record):
            src.settimeout(TIMEOUT)
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    record.extend(data)
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=pump, args=(server, client, down), daemon=True)
        t.start()
        pump(client, server, up)
        t.join(TIMEOUT)

    proxy_thread = threading.Thread(target=proxy, daemon=True)
    proxy_thread.start()
    good_exchange(ctx, pull, server_public, "tcp://127.0.0.1:%d" % listener.getsockname()[1], b"original")
    proxy_thread.join(TIMEOUT)
    sent = split_frames(bytes(up))
    _, hello = named(sent, b"HELLO")
    _, initiate = named(sent, b"INITIATE")
    _, message = named(sent, b"MESSAGE")
    welcome, _ = named(split_frames(bytes(down)), b"WELCOME")
    count_failures(monitor)
    pull.setsockopt(zmq.RCVTIMEO, 300)

    def delivered():
        try:
            pull.recv()
            return True
        except zmq.Again:
            return False

    c = raw_connect(ep)
    c.sendall(bytes(up[:64]) + hello)
    read_exact(c, 64)
    fresh = read_frame(c)
    try:
        c.sendall(initiate + message)
    except OSError:
        pass
    initiate_closed = closed_by_them(c)
    replay_delivered = delivered()
    c2 = raw_connect(ep)
    try:
        c2.sendall(bytes(up[:64]) + initiate)
    except OSError:
        pass
    alone_closed = closed_by_them(c2)
    alone_delivered = delivered()
    return {
        "replayed_hello_welcome_fresh": fresh.startswith(b"\x07WELCOME") and fresh != welcome,
        "replayed_initiate_closed": initiate_closed,
        "replayed_message_delivered": replay_delivered,
        "initiate_without_hello_closed": alone_closed,
        "initiate_without_hello_delivered": alone_delivered,
        "handshake_failures_reported": count_failures(monitor),
    }


def refused(ep, hello):
    """Sends a bad HELLO on a new connection; True if the server closed
    without a WELCOME."""
    c = raw_connect(ep)
    try:
        c.sendall(hello)
        c.settimeout(TIMEOUT)
        read_exact(c, 64)
        while True:
            if read_frame(c).startswith(b"\x07WELCOME"):
                return False
    except (SystemExit, OSError):
        return True
    finally:
        c.close()


def curve_flood(ctx, concurrent, good_runs, hellos_path):
    concurrent, good_runs, hellos = int(concurrent), int(good_runs), octet_lines(hellos_path)
    pull, monitor, server_public = curve_server(ctx)
    ep = endpoint_of(pull)
    good_exchange(ctx, pull, server_public, ep, b"calm")
    good_one = sum(good_exchange(ctx, pull, server_public, ep, b"calm") for _ in range(good_runs)) / good_runs
    results = [0] * concurrent

    def worker(w):
        results[w] = sum(1 for h in hellos[w::concurrent] if refused(ep, h))

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(concurrent)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    during = good_exchange(ctx, pull, server_public, ep, b"during the flood")
    still_on = any(t.is_alive() for t in threads)
    for t in threads:
        t.join(120)
    per_bad = (time.monotonic() - start) / len(hellos)
    return {
        "bad_hellos": len(hellos),
        "refused": sum(results),
        "good_served_during_flood": True,
        "flood_still_on_then": still_on,
        "bad_hello_per_good_handshake": round(per_bad / good_one, 3),
        "good_handshake_slowdown": round(during / good_one, 1),
    }


# ---- 8. kill -9 and restart of the bind side -------------------------------


def restart_child(ctx, ep):
    """The bind side: a PULL printing what it receives, until its parent
    goes (stdin closes) or stops sending for a minute."""

    def parent_gone():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=parent_gone, daemon=True).start()
    pull = sock(ctx, zmq.PULL)
    pull.setsockopt(zmq.RCVTIMEO, 60000)
    pull.bind(ep)
    print("ready", flush=True)
    while True:
        try:
            print("got %s" % pull.recv_multipart()[0].decode(), flush=True)
        except zmq.Again:
            os._exit(0)


class Life:
    """One life of the child and the numbers it printed."""

    def __init__(self, ep):
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "restart_child", ep],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.got = []
        self.ready = threading.Event()
        threading.Thread(target=self.read, daemon=True).start()
        if not self.ready.wait(TIMEOUT):
            self.proc.kill()
            raise SystemExit("the child never got ready")

    def read(self):
        for line in self.proc.stdout:
            if line.strip() == "ready":
                self.ready.set()
            elif line.startswith("got "):
                self.got.append(int(line[4:]))

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(TIMEOUT)
        time.sleep(0.05)  # the reader thread takes the last lines


def restart(ctx, total, gap, kills, burst, pad):
    total, gap, kills, burst, pad = int(total), int(gap), int(kills), int(burst), b"\x5a" * int(pad)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    ep = "tcp://127.0.0.1:%d" % probe.getsockname()[1]
    probe.close()
    push = sock(ctx, zmq.PUSH, RECONNECT_IVL=50)
    monitor = monitored(push, zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    life = Life(ep)
    push.connect(ep)
    if not wait_event(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED):
        raise SystemExit("the PUSH never connected")
    kill_at = [k * total // (kills + 1) for k in range(1, kills + 1)]
    lives, gaps, life_start, i = [], [], 0, 0
    try:
        while i < total:
            if i in kill_at:
                life.kill()
                lives.append((range(life_start, i), life.got, True))
                if not wait_event(monitor, zmq.EVENT_DISCONNECTED):
                    raise SystemExit("the PUSH never saw its peer go")
                g = range(i, min(i + gap, total))
                for n in g:
                    push.send_multipart([b"%d" % n, pad])
                i = g.stop
                gaps.append(g)
                life = Life(ep)
                if not wait_event(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED):
                    raise SystemExit("the PUSH never reconnected")
                deadline = time.monotonic() + TIMEOUT
                while g.stop - 1 not in life.got and time.monotonic() < deadline:
                    time.sleep(0.005)
                life_start = i
                continue
            push.send_multipart([b"%d" % i, pad])
            i += 1
            bursting = any(k - burst <= i < k for k in kill_at)
            if i % 10 == 0 and not bursting:
                time.sleep(0.001)
        deadline = time.monotonic() + TIMEOUT
        while (not life.got or life.got[-1] != total - 1) and time.monotonic() < deadline:
            time.sleep(0.01)
        lives.append((range(life_start, total), life.got, False))
    finally:
        life.proc.kill()
        life.proc.wait(TIMEOUT)
    times = {}
    for _, got, _ in lives:
        for n in got:
            times[n] = times.get(n, 0) + 1
    lost = [n for n in range(total) if n not in times]
    return {
        "sent": total,
        "kills": len(gaps),
        "duplicates": sum(1 for t in times.values() if t > 1),
        "lost": len(lost),
        "lost_in_flight_to_a_killed_peer": sum(
            1 for n in lost if any(killed and n in sent for sent, _, killed in lives)
        ),
        "sent_while_down": sum(len(g) for g in gaps),
        "sent_while_down_delivered": sum(1 for g in gaps for n in g if n in times),
    }


class Relay:
    """The control port of the Rust side's fault relay: one command a
    line (`reset`, `blackhole`, `heal`), each answered `ok`."""

    def __init__(self, port):
        self.c = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)

    def __call__(self, command):
        self.c.sendall(command.encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = self.c.recv(16)
            if not chunk:
                raise SystemExit("the relay closed its control port")
            reply += chunk
        if reply.strip() != b"ok":
            raise SystemExit("the relay said %r" % reply)


def numbered(n):
    return b"%064d" % n


def network_throughput(ctx, server_port, relay_port, total):
    """PUSH -> the relay (delay, throttle) -> PULL: delivered, in order,
    duplicated, and messages per second."""
    total = int(total)
    pull = sock(ctx, zmq.PULL)
    pull.bind("tcp://127.0.0.1:%d" % int(server_port))
    push = sock(ctx, zmq.PUSH)
    monitor = monitored(push, zmq.EVENT_HANDSHAKE_SUCCEEDED)
    push.connect("tcp://127.0.0.1:%d" % int(relay_port))
    if not wait_event(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED):
        raise SystemExit("the PUSH never connected through the relay")
    times, in_order = {}, 0
    result = {}

    def read():
        nonlocal in_order
        for i in range(total):
            n = int(pull.recv())
            in_order += n == i
            times[n] = times.get(n, 0) + 1
        result["end"] = time.monotonic()

    reader = threading.Thread(target=read, daemon=True)
    start = time.monotonic()
    reader.start()
    for i in range(total):
        push.send(numbered(i))
    reader.join(TIMEOUT * 3)
    if "end" not in result:
        raise SystemExit("not every message arrived: %d of %d" % (len(times), total))
    return {
        "sent": total,
        "delivered": len(times),
        "in_order": in_order,
        "duplicates": sum(1 for t in times.values() if t > 1),
        "msgs_per_s": round(total / (result["end"] - start)),
    }


def network_reset(ctx, server_port, relay_port, control_port, total, reset_at):
    """DEALER -> the relay -> ROUTER; the relay resets both sides after
    `reset_at` messages; the DEALER reconnects and goes on."""
    total, reset_at = int(total), int(reset_at)
    relay = Relay(control_port)
    router = sock(ctx, zmq.ROUTER)
    router.bind("tcp://127.0.0.1:%d" % int(server_port))
    dealer = sock(ctx, zmq.DEALER, RECONNECT_IVL=50)
    monitor = monitored(dealer, zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    dealer.connect("tcp://127.0.0.1:%d" % int(relay_port))
    if not wait_event(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED):
        raise SystemExit("the DEALER never connected through the relay")
    got = []

    def read():
        while True:
            n = int(router.recv_multipart()[1])
            got.append(n)
            if n == total - 1:
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for i in range(total):
        if i == reset_at:
            relay("reset")
            if not wait_event(monitor, zmq.EVENT_DISCONNECTED):
                raise SystemExit("the DEALER never saw the reset")
        dealer.send(numbered(i))
        if i % 10 == 0:
            time.sleep(0.001)
    reader.join(TIMEOUT)
    if reader.is_alive():
        raise SystemExit("the last message never arrived")
    times = {}
    for n in got:
        times[n] = times.get(n, 0) + 1
    return {
        "sent": total,
        "reset_after": reset_at,
        "duplicates": sum(1 for t in times.values() if t > 1),
        "lost_before_reset": sum(1 for n in range(reset_at) if n not in times),
        "lost_after_reset": sum(1 for n in range(reset_at, total) if n not in times),
    }


def network_black_hole(ctx, server_port, relay_port, control_port, ivl, timeout, warm, during, queued):
    """PUSH (heartbeats) -> the relay -> PULL; the relay black-holes; the
    time until the PUSH sees DISCONNECTED, as a multiple of
    HEARTBEAT_TIMEOUT; then what is queued arrives after the heal."""
    ivl, timeout = int(ivl), int(timeout)
    warm, during, queued = int(warm), int(during), int(queued)
    relay = Relay(control_port)
    pull = sock(ctx, zmq.PULL)
    pull.bind("tcp://127.0.0.1:%d" % int(server_port))
    push = sock(ctx, zmq.PUSH, HEARTBEAT_IVL=ivl, HEARTBEAT_TIMEOUT=timeout, RECONNECT_IVL=50)
    monitor = monitored(push, zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    push.connect("tcp://127.0.0.1:%d" % int(relay_port))
    if not wait_event(monitor, zmq.EVENT_HANDSHAKE_SUCCEEDED):
        raise SystemExit("the PUSH never connected through the relay")
    for i in range(warm):
        push.send(numbered(i))
        pull.recv()
    relay("blackhole")
    start = time.monotonic()
    for i in range(warm, warm + during):
        push.send(numbered(i))
    if not wait_event(monitor, zmq.EVENT_DISCONNECTED):
        raise SystemExit("the PUSH never noticed the black hole")
    noticed = (time.monotonic() - start) / (timeout / 1000)
    first = warm + during
    for i in range(first, first + queued):
        push.send(numbered(i))
    relay("heal")
    got = {}
    pull.setsockopt(zmq.RCVTIMEO, 5000)
    while True:
        try:
            n = int(pull.recv())
        except zmq.Again:
            break
        got[n] = got.get(n, 0) + 1
        if n == first + queued - 1:
            break
    return {
        "noticed_x_timeout": round(noticed, 2),
        "sent_into_black_hole": during,
        "of_those_delivered": sum(1 for n in range(warm, first) if n in got),
        "queued_while_down": queued,
        "queued_delivered": sum(1 for n in range(first, first + queued) if n in got),
        "duplicates": sum(1 for t in got.values() if t > 1),
    }


def main():
    scenario, args = sys.argv[1], sys.argv[2:]
    ctx = zmq.Context()
    figures = globals()[scenario](ctx, *args)
    print(json.dumps(figures), flush=True)
    ctx.destroy(linger=0)


if __name__ == "__main__":
    main()
