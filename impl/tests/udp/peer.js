// libzmq's udp RADIO/DISH through zeromq.js's draft build (libzmq 4.3.5),
// for impl/tests/udp.rs. Every wait is bounded (receiveTimeout,
// sendTimeout, an overall timer).
//
//   node peer.js dish ENDPOINT GROUP[,GROUP...] COUNT
//     binds a DISH, joins the groups, prints "ready", then prints each
//     message received as a JSON line {"group": hex, "body": hex} until
//     COUNT have come; exits 0, or 3 on a timeout.
//   node peer.js radio ENDPOINT ROUNDS GROUP:BODY...
//     connects a RADIO and sends each message ROUNDS times, 20 ms apart
//     (udp is lossy and the DISH may not listen yet); exits 0.
"use strict";
const draft = require("zeromq/draft");

const hex = (b) => Buffer.from(b).toString("hex");
const guard = setTimeout(() => {
  console.error("peer.js: overall timeout");
  process.exit(3);
}, 15000);

async function dish(endpoint, groups, count) {
  const d = new draft.Dish({ receiveTimeout: 10000, linger: 0 });
  await d.bind(endpoint);
  for (const g of groups.split(",")) d.join(g);
  console.log("ready");
  for (let i = 0; i < count; i++) {
    let got;
    try {
      got = await d.receive();
    } catch (e) {
      console.error("peer.js: receive:", e.message);
      process.exit(3);
    }
    const [body, meta] = got;
    console.log(JSON.stringify({ group: hex(meta.group), body: hex(body) }));
  }
  d.close();
}

async function radio(endpoint, rounds, messages) {
  const r = new draft.Radio({ sendTimeout: 2000, linger: 0 });
  r.connect(endpoint);
  for (let round = 0; round < rounds; round++) {
    for (const m of messages) {
      const at = m.indexOf(":");
      await r.send(m.slice(at + 1), { group: m.slice(0, at) });
    }
    await new Promise((ok) => setTimeout(ok, 20));
  }
  r.close();
}

(async () => {
  const [mode, endpoint, ...rest] = process.argv.slice(2);
  if (mode === "dish") await dish(endpoint, rest[0], Number(rest[1]));
  else if (mode === "radio") await radio(endpoint, Number(rest[0]), rest.slice(1));
  else throw new Error("mode: dish or radio");
  clearTimeout(guard);
  process.exit(0);
})().catch((e) => {
  console.error("peer.js:", e);
  process.exit(1);
});
