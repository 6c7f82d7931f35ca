//! Replays the `socket_core` fuzz corpus (`fuzz/corpus/socket_core/`)
//! through the target's body (`zmtp::fuzzing::socket_core`), so that
//! `cargo test` runs every seed and every committed reproducer through the
//! code the fuzzer runs, and keeps the seeds equal to what this file
//! writes. After changing the seeds:
//!
//! ```sh
//! ZMTP_WRITE_SEEDS=1 cargo test -p zmtp --test fuzz_corpus
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use zmtp::SocketType;
use zmtp::fuzzing::socket_core;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/socket_core")
}

/// The index of a socket type in the target's first octet.
fn type_octet(t: SocketType) -> u8 {
    let types: Vec<SocketType> = SocketType::ALL
        .into_iter()
        .filter(|t| *t != SocketType::Stream)
        .collect();
    u8::try_from(types.iter().position(|x| *x == t).expect("a fuzzed type")).expect("few types")
}

/// Seeds: for each socket type a peer is accepted and handshakes, sends a
/// two-frame message and subscribes; the application sends, receives,
/// subscribes and joins; a second peer connects, handshakes and hangs up.
fn seeds() -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for t in SocketType::ALL {
        if t == SocketType::Stream {
            continue;
        }
        let ops: Vec<u8> = vec![
            0, 0, // a peer, accepted
            1, 0, 0, // its handshake, the first compatible type
            8, 0, // settle
            2, 0, 1, 1, b'a', 2, b'h', b'i', // a message [a][hi]
            3, 0, 0, 1, b'h', // it subscribes to "h"
            6, 0, // the application receives
            5, 0, 0, 2, b'o', b'k', // the application sends [ok]
            7, 0, 1, b'h', // it subscribes to "h"
            7, 2, 1, b'g', // it joins "g"
            0, 1, // a second peer, connecting
            1, 1, 0x81, 2, b'i', b'd', // its handshake, with routing id "id"
            5, 0, 1, 0, 1, b'x', // the application sends [][x]
            4, 1, 0, // the second peer hangs up
            6, 0, // the application receives
        ];
        let mut seed = vec![type_octet(t)];
        seed.extend(ops);
        out.insert(format!("seed-{}", t.as_str().to_lowercase()), seed);
    }
    out
}

#[test]
fn seed_corpus_is_current() {
    let dir = corpus();
    let write = std::env::var("ZMTP_WRITE_SEEDS").as_deref() == Ok("1");
    if write {
        std::fs::create_dir_all(&dir).expect("corpus dir");
    }
    for (name, data) in seeds() {
        let path = dir.join(&name);
        if write {
            std::fs::write(&path, &data).expect("write seed");
        } else {
            let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (ZMTP_WRITE_SEEDS=1 writes the seeds)",
                    path.display()
                )
            });
            assert_eq!(
                on_disk, data,
                "{name} is stale: ZMTP_WRITE_SEEDS=1 rewrites it"
            );
        }
    }
}

#[test]
fn replay_socket_core_corpus() {
    let mut n = 0;
    for entry in std::fs::read_dir(corpus()).expect("fuzz/corpus/socket_core") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("read");
        socket_core(&data);
        n += 1;
    }
    assert!(n >= seeds().len(), "only {n} inputs replayed");
}

/// The seeds reach what the target is for: a PULL's application reads
/// the peers' messages, a PUSH's messages reach a link, and a ROUTER does
/// both (the yields between operations let the drivers run); a SUB that
/// was not subscribed when the message came reads nothing.
#[test]
fn the_seeds_move_messages_both_ways() {
    let seeds = seeds();
    let counts = |t: SocketType| {
        zmtp::fuzzing::socket_core_counts(&seeds[&format!("seed-{}", t.as_str().to_lowercase())])
    };
    let pull = counts(SocketType::Pull);
    assert!(pull.received >= 1, "PULL: {pull:?}");
    let push = counts(SocketType::Push);
    assert!(push.written >= 1, "PUSH: {push:?}");
    let router = counts(SocketType::Router);
    assert!(
        router.received >= 1 && router.written >= 1,
        "ROUTER: {router:?}"
    );
    // The SUB subscribes only after the message came: it drops it.
    let sub = counts(SocketType::Sub);
    assert_eq!(sub.received, 0, "SUB: {sub:?}");
}
