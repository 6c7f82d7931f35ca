#!/usr/bin/env python3
"""Records what libzmq actually puts on the wire, as golden vectors.

Run by hand (the tests only read the committed .bin files):

    .ci/setup-pyzmq
    target/peers/pyzmq/bin/python spec/tests/golden/record.py

Each recording binds a libzmq socket (through pyzmq) on 127.0.0.1 and
talks to it over a raw TCP socket that plays a ZMTP peer step by step, so
that every piece libzmq sends can be cut out exactly: the greeting pieces
(libzmq paces them: 10 octets, then 1 after the peer's 10, then 53 after
the peer's 11th), one file per command or message frame(s) after that.

The files are written next to this script and listed in README.md. The
script prints the libzmq version and refuses to overwrite files when it
is not 4.3.5, so that the README stays true.

Every wait is bounded: the raw peer's socket times out after TIMEOUT, and
every libzmq socket has RCVTIMEO, SNDTIMEO and LINGER 0 (`bounded`), so a
recording that goes wrong ends with an error instead of hanging.
"""

import os
import socket
import struct
import sys
import threading
import time

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_LIBZMQ = "4.3.5"
TIMEOUT = 5.0

# Socket types as libzmq names them, with a compatible type for the raw peer.
CLASSIC = [
    ("PAIR", zmq.PAIR, "PAIR"),
    ("PUB", zmq.PUB, "SUB"),
    ("SUB", zmq.SUB, "PUB"),
    ("REQ", zmq.REQ, "REP"),
    ("REP", zmq.REP, "REQ"),
    ("DEALER", zmq.DEALER, "ROUTER"),
    ("ROUTER", zmq.ROUTER, "DEALER"),
    ("PULL", zmq.PULL, "PUSH"),
    ("PUSH", zmq.PUSH, "PULL"),
    ("XPUB", zmq.XPUB, "SUB"),
    ("XSUB", zmq.XSUB, "PUB"),
]

written = []


def save(name, data, what):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        f.write(data)
    written.append((name, len(data), what))
    print(f"{name:32} {len(data):5} octets  {what}")


class Raw:
    """A raw TCP peer with exact-length reads."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def recv_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError(f"peer closed after {len(out)} of {n} octets")
            out += chunk
        return out

    def send(self, data):
        self.sock.sendall(data)

    def recv_frame(self):
        """One ZMTP 3.x/2.0 frame, header included, exactly as sent."""
        flags = self.recv_exact(1)
        if flags[0] & 0x02:
            size_octets = self.recv_exact(8)
            size = struct.unpack(">Q", size_octets)[0]
        else:
            size_octets = self.recv_exact(1)
            size = size_octets[0]
        return flags + size_octets + self.recv_exact(size)

    def recv_message(self):
        """Frames up to and including the first without MORE."""
        out = b""
        while True:
            frame = self.recv_frame()
            out += frame
            if not frame[0] & 0x01:
                return out

    def expect_silence(self, seconds=0.2):
        self.sock.settimeout(seconds)
        try:
            data = self.sock.recv(1)
        except socket.timeout:
            data = None
        finally:
            self.sock.settimeout(TIMEOUT)
        return data

    def close(self):
        self.sock.close()


def greeting_rest(minor=1, mechanism=b"NULL"):
    """Octets 11-63 of our greeting."""
    return bytes([minor]) + mechanism.ljust(20, b"\0") + b"\0" + b"\0" * 31


def ready(socket_type, identity=None):
    body = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", len(socket_type)) + socket_type.encode()
    if identity is not None:
        body += b"\x08Identity" + struct.pack(">I", len(identity)) + identity
    return command_frame(body)


def command_frame(body):
    if len(body) <= 255:
        return bytes([0x04, len(body)]) + body
    return b"\x06" + struct.pack(">Q", len(body)) + body


def handshake(raw, peer_type, minor=1, identity=None):
    """Greets as a 3.x NULL peer and exchanges READY; returns libzmq's
    greeting pieces and its READY frame."""
    signature = raw.recv_exact(10)
    raw.send(b"\xff" + b"\0" * 7 + b"\x01\x7f")
    major = raw.recv_exact(1)
    raw.send(b"\x03")
    rest = raw.recv_exact(53)
    raw.send(greeting_rest(minor))
    their_ready = raw.recv_frame()
    if identity is None and peer_type in ("REQ", "DEALER", "ROUTER"):
        identity = b""
    raw.send(ready(peer_type, identity))
    return signature, major, rest, their_ready


def bounded(sock):
    """Receives and sends time out after TIMEOUT; close drops what is left."""
    sock.setsockopt(zmq.RCVTIMEO, int(TIMEOUT * 1000))
    sock.setsockopt(zmq.SNDTIMEO, int(TIMEOUT * 1000))
    sock.setsockopt(zmq.LINGER, 0)
    return sock


def bound(ctx, kind, **options):
    sock = bounded(ctx.socket(kind))
    for name, value in options.items():
        sock.setsockopt(getattr(zmq, name), value)
    port = sock.bind_to_random_port("tcp://127.0.0.1")
    return sock, port


def settle(sock):
    """Lets libzmq's socket thread attach the new pipe: setsockopt does not
    process pending commands, but reading ZMQ_EVENTS does."""
    time.sleep(0.1)
    sock.getsockopt(zmq.EVENTS)


def record_greeting_and_ready(ctx):
    for name, kind, peer in CLASSIC:
        for routing_id in (None, b"golden-id"):
            opts = {"ROUTING_ID": routing_id} if routing_id else {}
            sock, port = bound(ctx, kind, **opts)
            raw = Raw(port)
            signature, major, rest, their_ready = handshake(raw, peer)
            if name == "PAIR" and routing_id is None:
                save("greeting-signature.bin", signature, "greeting octets 0-9, sent at once")
                save("greeting-major.bin", major, "greeting octet 10, sent after the peer's 10")
                save("greeting-rest.bin", rest, "greeting octets 11-63, sent after the peer's 11th")
            if name == "PAIR" and routing_id:
                save("greeting-signature-id.bin", signature,
                     "greeting octets 0-9 with ROUTING_ID 'golden-id' set (padding = 9 + 1)")
            suffix = "-id" if routing_id else ""
            what = f"READY from {name}" + (" with ROUTING_ID 'golden-id'" if routing_id else "")
            save(f"ready-{name.lower()}{suffix}.bin", their_ready, what)
            raw.close()
            sock.close()


def record_heartbeats(ctx):
    # PING: heartbeats every 100 ms with a TTL of 25.0 s (250 on the wire).
    sock, port = bound(ctx, zmq.PAIR, HEARTBEAT_IVL=100, HEARTBEAT_TTL=25000,
                       HEARTBEAT_TIMEOUT=5000)
    raw = Raw(port)
    handshake(raw, "PAIR")
    save("ping.bin", raw.recv_frame(), "PING from PAIR with HEARTBEAT_IVL=100, HEARTBEAT_TTL=25000")
    raw.close()
    sock.close()
    # PONG: the reply to our PING with a 3-octet context.
    sock, port = bound(ctx, zmq.PAIR)
    raw = Raw(port)
    handshake(raw, "PAIR")
    raw.send(command_frame(b"\x04PING\x00\x0actx"))
    save("pong.bin", raw.recv_frame(), "PONG echoing our PING context 'ctx'")
    raw.close()
    sock.close()


def record_subscriptions(ctx):
    """SUB turns setsockopt(SUBSCRIBE) into a SUBSCRIBE command for a 3.1
    peer and into a 01+topic message for a 3.0 peer; XSUB forwards the
    01+topic message the application sent as it is (observed with 4.3.5,
    whatever the peer's minor version)."""
    for name, kind in (("sub", zmq.SUB), ("xsub", zmq.XSUB)):
        for minor in (1, 0):
            sock, port = bound(ctx, kind)
            raw = Raw(port)
            handshake(raw, "PUB", minor=minor)
            settle(sock)
            if kind == zmq.SUB:
                sock.setsockopt(zmq.SUBSCRIBE, b"weather")
            else:
                sock.send(b"\x01weather")
            sub = raw.recv_frame()
            if kind == zmq.SUB:
                sock.setsockopt(zmq.UNSUBSCRIBE, b"weather")
            else:
                sock.send(b"\x00weather")
            cancel = raw.recv_frame()
            for action, frame in (("subscribe", sub), ("cancel", cancel)):
                form = "command" if frame[0] & 0x04 else "message"
                save(f"{action}-{name}-to-3.{minor}.bin", frame,
                     f"{action} 'weather' from {name.upper()} to a 3.{minor} peer, as a {form}")
            raw.close()
            sock.close()


def record_mechanisms(ctx):
    """The clear-text part of the PLAIN and CURVE handshakes."""
    # PLAIN client: libzmq sends HELLO once it has our greeting.
    sock, port = bound(ctx, zmq.PAIR, PLAIN_USERNAME=b"admin", PLAIN_PASSWORD=b"secret")
    raw = Raw(port)
    raw.recv_exact(10)
    raw.send(b"\xff" + b"\0" * 7 + b"\x01\x7f")
    raw.recv_exact(1)
    raw.send(b"\x03")
    rest = raw.recv_exact(53)
    save("greeting-rest-plain.bin", rest, "greeting octets 11-63 of a PLAIN client (as-server 0)")
    raw.send(bytes([1]) + b"PLAIN".ljust(20, b"\0") + b"\x01" + b"\0" * 31)
    save("hello-plain.bin", raw.recv_frame(), "PLAIN HELLO, username 'admin', password 'secret'")
    raw.close()
    sock.close()
    # CURVE client: HELLO is 200 octets of which most are random.
    public, _secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    sock, port = bound(ctx, zmq.PAIR, CURVE_SERVERKEY=public, CURVE_PUBLICKEY=client_public,
                       CURVE_SECRETKEY=client_secret)
    raw = Raw(port)
    raw.recv_exact(10)
    raw.send(b"\xff" + b"\0" * 7 + b"\x01\x7f")
    raw.recv_exact(1)
    raw.send(b"\x03")
    raw.recv_exact(53)
    raw.send(bytes([1]) + b"CURVE".ljust(20, b"\0") + b"\x01" + b"\0" * 31)
    save("hello-curve.bin", raw.recv_frame(), "CURVE HELLO (200-octet body; keys and box are random)")
    raw.close()
    sock.close()


def record_messages(ctx):
    sock, port = bound(ctx, zmq.PUSH)
    raw = Raw(port)
    handshake(raw, "PULL")
    settle(sock)
    sock.send_multipart([b"part one", b"", b"part three"])
    save("multipart.bin", raw.recv_message(), "3-frame message from PUSH: 'part one', '', 'part three'")
    sock.send(bytes(range(256)) + bytes(range(44)))
    save("long-frame.bin", raw.recv_message(), "300-octet single-frame message from PUSH (long size)")
    raw.close()
    sock.close()


def record_error(ctx):
    """A ZAP handler that refuses everyone makes libzmq send ERROR."""
    handler = bounded(ctx.socket(zmq.REP))
    handler.bind("inproc://zeromq.zap.01")

    def serve():
        frames = handler.recv_multipart()
        version, request_id = frames[0], frames[1]
        handler.send_multipart([version, request_id, b"400", b"refused", b"", b""])

    thread = threading.Thread(target=serve)
    thread.start()
    sock, port = bound(ctx, zmq.PAIR, ZAP_DOMAIN=b"golden")
    raw = Raw(port)
    raw.recv_exact(10)
    raw.send(b"\xff" + b"\0" * 7 + b"\x01\x7f")
    raw.recv_exact(1)
    raw.send(b"\x03")
    raw.recv_exact(53)
    raw.send(greeting_rest())
    raw.send(ready("PAIR"))
    save("error-zap-400.bin", raw.recv_frame(), "ERROR '400' from a PAIR whose ZAP handler refused us")
    thread.join(TIMEOUT)
    if thread.is_alive():
        sys.exit("the ZAP handler did not finish")
    raw.close()
    sock.close()
    handler.close()


def record_downgrades(ctx):
    # ZMTP 2.0 peer: revision 01 after the signature.
    sock, port = bound(ctx, zmq.DEALER, ROUTING_ID=b"golden-id")
    raw = Raw(port)
    raw.recv_exact(10)
    raw.send(b"\xff" + b"\0" * 7 + b"\x01\x7f")
    raw.recv_exact(1)
    raw.send(b"\x01\x06\x00\x00")  # revision 1, ROUTER, empty identity frame
    socket_type = raw.recv_exact(1)
    identity = raw.recv_frame()
    save("v2-socket-type-identity.bin", socket_type + identity,
         "to a ZMTP 2.0 peer: DEALER's socket-type octet and identity frame 'golden-id'")
    raw.close()
    sock.close()
    # ZMTP 1.0 peer: an anonymous short identity frame (length 1, flags 0).
    sock, port = bound(ctx, zmq.DEALER, ROUTING_ID=b"golden-id")
    raw = Raw(port)
    signature = raw.recv_exact(10)
    raw.send(b"\x01\x00")
    identity = raw.recv_exact(len(b"golden-id"))
    save("v1-signature-identity.bin", signature + identity,
         "to a ZMTP 1.0 peer: DEALER's pseudo-signature (long identity frame header) and identity body")
    raw.close()
    sock.close()


def main():
    version = zmq.zmq_version()
    print(f"pyzmq {zmq.__version__}, libzmq {version}")
    if version != EXPECTED_LIBZMQ and "--any-version" not in sys.argv:
        sys.exit(f"libzmq {version} is not {EXPECTED_LIBZMQ}; README.md names {EXPECTED_LIBZMQ}"
                 " (pass --any-version to record anyway)")
    ctx = zmq.Context()
    record_greeting_and_ready(ctx)
    record_heartbeats(ctx)
    record_subscriptions(ctx)
    record_messages(ctx)
    record_mechanisms(ctx)
    record_error(ctx)
    record_downgrades(ctx)
    ctx.term()
    write_readme(version)
    print(f"{len(written)} files written to {HERE}")


def write_readme(version):
    lines = [
        "# Golden vectors: what libzmq sends",
        "",
        f"Recorded from libzmq {version} (pyzmq {zmq.__version__}) over TCP on 127.0.0.1 by",
        "`record.py`, which plays the other peer on a raw socket and cuts libzmq's",
        "output into one file per greeting piece, command or message. Regenerate",
        "by hand (this file is rewritten too):",
        "",
        "```sh",
        ".ci/setup-pyzmq",
        "target/peers/pyzmq/bin/python spec/tests/golden/record.py",
        "```",
        "",
        "`spec/tests/golden.rs` parses every file with the grammar and the",
        "streaming decoder, checks the decoded values and re-encodes them to the",
        "same octets; it only reads the committed files. The CURVE HELLO holds",
        "random keys, so it changes on every recording.",
        "",
        "Observed along the way: libzmq paces its greeting (10 octets, then 1",
        "after the peer's 10, then 53 after the peer's 11th); it sends an",
        "`Identity` property from REQ, DEALER and ROUTER only, ROUTING_ID or not;",
        "its XSUB forwards the application's `01`/`00` subscription messages as",
        "messages even to a 3.1 peer, while SUB sends SUBSCRIBE/CANCEL commands",
        "to 3.1 peers and messages to 3.0 peers.",
        "",
        "| file | octets | what libzmq sent |",
        "|---|---|---|",
    ]
    for name, size, what in sorted(written):
        lines.append(f"| `{name}` | {size} | {what} |")
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
