"""libzmq's side of impl/tests/multicast.rs: a PUB or SUB over pgm, epgm
or norm.

Debian's python3-zmq (libzmq 4.3.4 built with OpenPGM and NORM). Every socket has
RCVTIMEO, SNDTIMEO and LINGER set, so no wait is unbounded.

Protocol lines start with "@" (OpenPGM's warnings share stdout).

  peer.py sub ENDPOINT RATE COUNT   prints READY, then one line per message
                                    index received ("GOT i"), then DONE n
  peer.py pub ENDPOINT RATE COUNT   waits for a line on stdin, sends messages
                                    "i" (decimal) padded to 64 octets
                                    (ZMTP_PEER_PACE_US apart, if set),
                                    prints SENT, stays for repairs until
                                    stdin closes (at most 60 s)
"""
import os
import select
import sys
import time

import zmq



def say(line):
    """One protocol line, marked: OpenPGM writes warnings to the same
    stdout without a newline of their own."""
    sys.stdout.write("\n@" + line + "\n")
    sys.stdout.flush()


mode, endpoint, rate, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
scheme = endpoint.split("://")[0]
need = "norm" if scheme == "norm" else "pgm"
assert zmq.has(need), "this libzmq has no %s" % scheme
ctx = zmq.Context()
if mode == "sub":
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, 8000)
    s.setsockopt(zmq.SNDTIMEO, 1000)
    s.setsockopt(zmq.RATE, rate)
    s.setsockopt(zmq.RCVHWM, 0)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(endpoint)
    # libzmq opens the PGM socket in its I/O thread after connect returns:
    # give it time to join the group before the sender starts.
    time.sleep(1.0)
    say("READY")
    n = 0
    first = None
    try:
        while n < count:
            m = s.recv()
            now = time.monotonic()
            if first is None:
                first = now
            n += 1
            say("GOT %d" % int(m.split(b" ")[0]))
            last = now
    except zmq.Again:
        pass
    span = (last - first) if n > 1 else 0.0
    say("DONE %d %.3f" % (n, span))
else:
    s = ctx.socket(zmq.PUB)
    s.setsockopt(zmq.LINGER, 2000)
    s.setsockopt(zmq.SNDTIMEO, 8000)
    s.setsockopt(zmq.RCVTIMEO, 1000)
    s.setsockopt(zmq.RATE, rate)
    s.setsockopt(zmq.SNDHWM, 0)
    s.connect(endpoint)
    say("READY")
    sys.stdin.readline()
    # ZMTP_PEER_PACE_US: a pause after each message, so that a test can
    # keep a fast sender's repair window ahead of its repair rounds.
    pace = int(os.environ.get("ZMTP_PEER_PACE_US", "0")) / 1e6
    for i in range(count):
        s.send(("%d " % i).encode().ljust(64, b"."))
        if pace:
            time.sleep(pace)
    say("SENT")
    # Stay (repairs, and a rate-limited sender still draining) until the
    # test closes stdin, bounded.
    select.select([sys.stdin], [], [], 60)
s.close()
ctx.term()
