# zmtp-conformance in a container: the suite's binary, with its data
# directory (the shipped agents' sources, the agent SDKs) and the
# interpreters an agent is usually written for (Python 3, Node).
#
#   docker build -t zmtp-conformance .
#   docker run --rm -v "$PWD:/work" zmtp-conformance \
#       run --agent-cmd "python3 my_agent.py" --report conformance-report
#
# The library under test goes into an image built on this one
# (`FROM zmtp-conformance` + `RUN pip install mylib`), or is mounted with
# the agent. See conformance/AGENTS.md, "In another project's CI".

# --- build: the release binary (the workspace's profile: fat LTO) ---
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p zmtp-conformance \
 && install -D target/release/zmtp-conformance /out/zmtp-conformance

# --- runtime: the binary, its data directory, Python and Node ---
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates python3 python3-venv python3-pip nodejs npm \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/zmtp-conformance /usr/local/bin/zmtp-conformance
ENV ZMTP_CONFORMANCE_DATA=/opt/zmtp-conformance
# The agent SDKs (conformance/sdk, written out by the binary below):
# `import zmtp_agent` in Python and `require("zmtp-agent")` in Node find them.
ENV PYTHONPATH=/opt/zmtp-conformance/sdk/python \
    NODE_PATH=/opt/zmtp-conformance/sdk/node
# Writes the shipped agents' sources and the SDKs out under the data
# directory and checks that the binary runs (the builtin agent needs
# nothing else).
RUN zmtp-conformance setup --agent builtin \
 && test -f /opt/zmtp-conformance/agent-sources/python/agent.py \
 && test -f /opt/zmtp-conformance/sdk/python/zmtp_agent.py \
 && zmtp-conformance run --agent builtin --transport tcp --cases G01/
WORKDIR /work
ENTRYPOINT ["zmtp-conformance"]
CMD ["--help"]
