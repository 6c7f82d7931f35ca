// libzmq's side of the udp RADIO/DISH cases (and of the tcp rows that
// show Node's own cost) through zeromq.js 6 and its bundled draft libzmq
// 4.3.5: the `zmq` crate's libzmq is built without the draft API that
// RADIO/DISH need. The same tools and result lines as backend/libzmq.rs
// (over any endpoint, ws included); Node's own cost per message (one
// awaited promise per send and per receive) is in every figure.
//
//   node libzmq_node.js local_thr|remote_thr|local_lat|remote_lat EP SIZE COUNT
//   node libzmq_node.js dish_thr EP SIZE COUNT
//   node libzmq_node.js radio_thr EP SIZE COUNT RATE
//
// Every wait is bounded: receiveTimeout and sendTimeout on each socket and
// an overall timer.
"use strict";
const zmq = require("zeromq");
const draft = require("zeromq/draft");

// Run as `node -e SCRIPT -- ARGS` (argv: node, ARGS) or as a file (argv:
// node, file, ARGS).
const args = process.argv.slice(process.argv.length === 7 ? 2 : 1);
const [tool, ep, sizeArg, countArg, rateArg] = args;
const rate = Number(rateArg);
const BURST = 100; // tool::RADIO_BURST
const size = Number(sizeArg);
const count = Number(countArg);
const WAIT = 30000;
const GROUP = "perf";
const PROBE = 0x50; // 'P', as zmtp_perf::extra
const DATA = 0x44; // 'D'
const END = 0x45; // 'E'
const IDLE_MS = 500;
const END_FOR_MS = 10000;

const guard = setTimeout(() => {
  console.error("libzmq_node.js: overall timeout");
  process.exit(3);
}, 140000);

const now = () => process.hrtime.bigint();
const secs = (a, b) => Number(b - a) / 1e9;
const opts = { receiveTimeout: WAIT, sendTimeout: WAIT };

function thrLines(n, seconds) {
  const rate = seconds > 0 ? n / seconds : 0;
  return (
    `message size: ${size} [B]\nmessage count: ${n}\n` +
    `mean throughput: ${Math.floor(rate)} [msg/s]\n` +
    `mean throughput: ${((rate * size * 8) / 1e6).toFixed(3)} [Mb/s]\n`
  );
}

function check(msg) {
  if (msg.length !== size) throw new Error(`message of incorrect size received: ${msg.length}`);
}

function tagged(tag) {
  const b = Buffer.alloc(Math.max(size, 1));
  b[0] = tag;
  return b;
}

async function localThr() {
  const s = new zmq.Pull({ receiveTimeout: WAIT });
  await s.bind(ep);
  let [m] = await s.receive();
  check(m);
  const start = now();
  for (let i = 1; i < count; i++) {
    [m] = await s.receive();
    check(m);
  }
  process.stdout.write(thrLines(count, secs(start, now())));
  s.close();
}

async function remoteThr() {
  // No linger limit: close() and exit wait until everything is sent, as
  // libzmq's remote_thr does.
  const s = new zmq.Push({ sendTimeout: WAIT });
  s.connect(ep);
  for (let i = 0; i < count; i++) await s.send(Buffer.alloc(size));
  s.close();
}

async function localLat() {
  const s = new zmq.Reply(opts);
  await s.bind(ep);
  for (let i = 0; i < count; i++) {
    const [m] = await s.receive();
    check(m);
    await s.send(m);
  }
  s.close();
}

async function remoteLat() {
  const s = new zmq.Request(opts);
  s.connect(ep);
  const msg = Buffer.alloc(size);
  const start = now();
  for (let i = 0; i < count; i++) {
    await s.send(msg);
    const [m] = await s.receive();
    check(m);
  }
  const us = (secs(start, now()) * 1e6) / (count * 2);
  process.stdout.write(
    `message size: ${size} [B]\nroundtrip count: ${count}\naverage latency: ${us.toFixed(3)} [us]\n`,
  );
  s.close();
}

async function dishThr() {
  const s = new draft.Dish({ receiveTimeout: END_FOR_MS * 6, linger: 0 });
  await s.bind(ep);
  s.join(GROUP);
  let ready = false;
  let received = 0;
  let first = null;
  let last = now();
  while (received < count) {
    let m;
    try {
      [m] = await s.receive();
    } catch (e) {
      if (e.code === "EAGAIN") break;
      throw e;
    }
    if (m[0] === PROBE) {
      if (!ready) {
        ready = true;
        process.stdout.write("ready\n");
      }
    } else if (m[0] === DATA) {
      check(m);
      last = now();
      if (first === null) {
        first = last;
        s.receiveTimeout = IDLE_MS;
      }
      received++;
    } else {
      break;
    }
  }
  process.stdout.write(thrLines(received, first === null ? 0 : secs(first, last)));
  s.close();
}

async function radioThr() {
  const s = new draft.Radio({ sendTimeout: WAIT, linger: 0 });
  s.connect(ep);
  // The comparison's go line starts the data; the end of standard input
  // (the comparison ended this tool's parent) stops everything.
  let go = false;
  let ended = false;
  process.stdin.on("data", () => {
    go = true;
  });
  process.stdin.on("end", () => {
    go = true;
    ended = true;
  });
  const probe = tagged(PROBE);
  while (!go) {
    await s.send(probe, { group: GROUP });
    await new Promise((ok) => setTimeout(ok, 10));
  }
  const data = tagged(DATA);
  // Each send is awaited (a RADIO never blocks: at its high-water mark
  // libzmq drops the message). With a rate, each burst of BURST waits
  // for its time.
  const start = Date.now();
  for (let i = 0; i < count && !ended; i++) {
    if (rate > 0 && i % BURST === 0) {
      const wait = start + (i * 1000) / rate - Date.now();
      if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    }
    await s.send(data, { group: GROUP });
  }
  const end = tagged(END);
  const until = Date.now() + END_FOR_MS;
  while (Date.now() < until && !ended) {
    await s.send(end, { group: GROUP });
    await new Promise((ok) => setTimeout(ok, 10));
  }
  s.close();
  process.exit(0);
}

const tools = {
  local_thr: localThr,
  remote_thr: remoteThr,
  local_lat: localLat,
  remote_lat: remoteLat,
  dish_thr: dishThr,
  radio_thr: radioThr,
};

const run = tools[tool];
if (!run) {
  console.error(`libzmq_node.js: unknown tool ${tool}`);
  process.exit(2);
}
run().then(
  () => {
    clearTimeout(guard);
  },
  (e) => {
    console.error(`libzmq_node.js ${tool}: ${e.message}`);
    process.exit(1);
  },
);
