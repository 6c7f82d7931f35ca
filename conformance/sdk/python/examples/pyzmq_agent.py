#!/usr/bin/env python3
"""A zmtp-conformance agent for pyzmq, written with zmtp_agent: only the
socket calls. Run it with `zmtp-conformance run --agent-cmd
"python3 conformance/sdk/python/examples/pyzmq_agent.py"` (zmtp_agent is
found beside this directory, or through PYTHONPATH).

No call waits forever: every socket has RCVTIMEO, SNDTIMEO and LINGER
(bounded()), and send and recv wait at most the timeout_ms they are given.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import zmq  # noqa: E402

import zmtp_agent  # noqa: E402

SAFETY_MS = 10000
OPTIONS = {
    "ROUTING_ID": zmq.IDENTITY, "SUBSCRIBE": zmq.SUBSCRIBE, "UNSUBSCRIBE": zmq.UNSUBSCRIBE,
    "LINGER": zmq.LINGER, "SNDHWM": zmq.SNDHWM, "RCVHWM": zmq.RCVHWM,
    "RECONNECT_IVL": zmq.RECONNECT_IVL, "HEARTBEAT_IVL": zmq.HEARTBEAT_IVL,
    "HEARTBEAT_TIMEOUT": zmq.HEARTBEAT_TIMEOUT, "HEARTBEAT_TTL": zmq.HEARTBEAT_TTL,
    "ROUTER_MANDATORY": zmq.ROUTER_MANDATORY, "XPUB_VERBOSE": zmq.XPUB_VERBOSE,
    "MAXMSGSIZE": zmq.MAXMSGSIZE,
}


def bounded(s):
    """Receives and sends give up, close drops what is left."""
    s.setsockopt(zmq.RCVTIMEO, SAFETY_MS)
    s.setsockopt(zmq.SNDTIMEO, SAFETY_MS)
    s.setsockopt(zmq.LINGER, 0)
    return s


class PyZmq(zmtp_agent.Library):
    name = "pyzmq-sdk"
    version = "libzmq %s (pyzmq %s)" % (zmq.zmq_version(), zmq.__version__)
    socket_types = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER",
                    "PULL", "PUSH", "XPUB", "XSUB"]

    def __init__(self):
        self.ctx = zmq.Context()

    def socket(self, kind):
        return bounded(self.ctx.socket(getattr(zmq, kind)))

    def setsockopt(self, s, name, value):
        if name not in OPTIONS:
            raise zmtp_agent.Unsupported("option %s" % name)
        s.setsockopt(OPTIONS[name], value)

    def bind(self, s, endpoint):
        s.bind(endpoint)
        return s.getsockopt(zmq.LAST_ENDPOINT).decode()

    def connect(self, s, endpoint):
        s.connect(endpoint)

    def send(self, s, frames, timeout_ms):
        if not s.poll(timeout_ms, zmq.POLLOUT) & zmq.POLLOUT:
            raise zmtp_agent.Again("send timed out")
        s.send_multipart(frames, flags=zmq.NOBLOCK)

    def recv(self, s, timeout_ms):
        if not s.poll(timeout_ms, zmq.POLLIN) & zmq.POLLIN:
            raise zmtp_agent.Again("recv timed out")
        return s.recv_multipart(flags=zmq.NOBLOCK)

    def poll(self, s, timeout_ms):
        ev = s.poll(timeout_ms, zmq.POLLIN | zmq.POLLOUT)
        return ev & zmq.POLLIN, ev & zmq.POLLOUT

    def close(self, s):
        s.close(0)


if __name__ == "__main__":
    zmtp_agent.run(PyZmq())
