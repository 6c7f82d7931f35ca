//! The fuzz targets' bodies as property tests: random octets and random
//! mutations of the committed seeds go through `zmtp_spec::fuzzing`, so
//! that a plain `cargo test` (no nightly, no cargo-fuzz) also explores
//! beyond the corpus. One harness, two drivers (style.md 6).

use std::path::PathBuf;

use proptest::collection::vec;
use proptest::prelude::*;
use zmtp_spec::fuzzing;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect()
}

/// One edit of a seed.
#[derive(Clone, Debug)]
enum Edit {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        2 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => any::<prop::sample::Index>().prop_map(Edit::Remove),
        1 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        match e {
            Edit::Set(i, b) if !data.is_empty() => {
                let at = i.index(data.len());
                data[at] = *b;
            }
            Edit::Insert(i, b) => {
                let at = i.index(data.len() + 1);
                data.insert(at, *b);
            }
            Edit::Remove(i) if !data.is_empty() => {
                let at = i.index(data.len());
                data.remove(at);
            }
            Edit::Truncate(i) => {
                let at = i.index(data.len() + 1);
                data.truncate(at);
            }
            _ => {}
        }
    }
    data
}

/// Random octets, or a seed of `target` with 1-8 edits.
fn input(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let seeds = seeds(target);
    prop_oneof![
        1 => vec(any::<u8>(), 0..512),
        3 => (proptest::sample::select(seeds), vec(edit(), 1..8))
            .prop_map(|(seed, edits)| apply(seed, &edits)),
    ]
}

proptest! {
    #[test]
    fn greeting(data in input("greeting")) {
        fuzzing::greeting(&data);
    }

    #[test]
    fn decoder(data in input("decoder")) {
        fuzzing::decoder(&data);
    }

    #[test]
    fn command(data in input("command")) {
        fuzzing::command(&data);
    }

    #[test]
    fn metadata(data in input("metadata")) {
        fuzzing::metadata(&data);
    }

    #[test]
    fn connection(data in input("connection")) {
        fuzzing::connection(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Slower (two machines, virtual time): fewer cases.
    #[test]
    fn connection_pair(data in input("connection_pair")) {
        fuzzing::connection_pair(&data);
    }
}
