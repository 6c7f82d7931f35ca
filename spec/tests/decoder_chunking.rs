//! The streaming decoder gives the same items and the same error whatever
//! the chunking of its input: streams of valid items split at random
//! points and at every byte, with and without a maximum message size, in
//! each framing, and arbitrary octets.
//!
//! (Each unit test in `src/wire/decode/tests.rs` already re-runs its input
//! split in two at every byte and fed byte by byte.)

mod strategies;

use bytes::BytesMut;
use proptest::collection::vec;
use proptest::prelude::*;
use strategies::{item, message};
use zmtp_spec::wire::encode::encode_message;
use zmtp_spec::wire::{Decoder, Encode, Framing, Item, WireError};

/// Items, then the error that stopped the decoder, if any.
type Outcome = (Vec<Item>, Option<WireError>);

fn encode_items(items: &[Item], framing: Framing) -> Vec<u8> {
    let mut out = BytesMut::new();
    for item in items {
        match item {
            Item::Command(c) => c.encode(&mut out).expect("encodable"),
            Item::Message(m) => encode_message(m, framing, &mut out).expect("encodable"),
            Item::RawCommand(_) => unreachable!("not generated"),
        }
    }
    out.to_vec()
}

fn decode_chunks(framing: Framing, max: Option<u64>, chunks: &[&[u8]]) -> Outcome {
    let mut decoder = Decoder::new(framing).with_max_message_size(max);
    let mut items = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.poll_item() {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => return (items, Some(e)),
            }
        }
    }
    (items, None)
}

/// Cuts `input` at the given positions (taken modulo its length + 1).
fn cut_at<'a>(input: &'a [u8], cuts: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for p in points {
        chunks.push(&input[start..p]);
        start = p;
    }
    chunks.push(&input[start..]);
    chunks
}

/// The outcome a decoder with maximum `max` must give for `items`: the
/// items up to the first one too large, then MessageTooLarge.
fn expected(items: &[Item], max: Option<u64>) -> (usize, bool) {
    let Some(max) = max else {
        return (items.len(), false);
    };
    for (i, item) in items.iter().enumerate() {
        let too_large = match item {
            Item::Command(c) => c.body_len() as u64 > max,
            Item::Message(m) => m.byte_len() as u64 > max,
            Item::RawCommand(_) => unreachable!(),
        };
        if too_large {
            return (i, true);
        }
    }
    (items.len(), false)
}

proptest! {
    /// A 3.x stream of commands and messages decodes to the same items
    /// one-shot and cut at random points.
    #[test]
    fn random_cuts_agree_with_one_shot(
        items in vec(item(), 0..8),
        cuts in vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let input = encode_items(&items, Framing::Zmtp3);
        let whole = decode_chunks(Framing::Zmtp3, None, &[&input]);
        prop_assert_eq!(&whole, &(items, None));
        let chunked = decode_chunks(Framing::Zmtp3, None, &cut_at(&input, &cuts));
        prop_assert_eq!(chunked, whole);
    }

    /// Short 3.x streams, split in two at every byte and fed byte by byte.
    #[test]
    fn every_split_agrees_with_one_shot(items in vec(item(), 1..4)) {
        let input = encode_items(&items, Framing::Zmtp3);
        prop_assume!(input.len() <= 1200);
        let whole = decode_chunks(Framing::Zmtp3, None, &[&input]);
        for cut in 0..=input.len() {
            let (a, b) = input.split_at(cut);
            prop_assert_eq!(&decode_chunks(Framing::Zmtp3, None, &[a, b]), &whole, "cut {}", cut);
        }
        let singles: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(decode_chunks(Framing::Zmtp3, None, &singles), whole);
    }

    /// MAXMSGSIZE: the items before the first one over the limit come out,
    /// then MessageTooLarge, at any chunking.
    #[test]
    fn max_message_size_at_any_chunking(
        items in vec(item(), 1..6),
        max in 0u64..400,
        cuts in vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let input = encode_items(&items, Framing::Zmtp3);
        let (good, fails) = expected(&items, Some(max));
        let whole = decode_chunks(Framing::Zmtp3, Some(max), &[&input]);
        prop_assert_eq!(&whole.0[..], &items[..good]);
        prop_assert_eq!(
            matches!(whole.1, Some(WireError::MessageTooLarge { max: m, .. }) if m == max),
            fails,
            "{:?}", whole.1
        );
        prop_assert_eq!(decode_chunks(Framing::Zmtp3, Some(max), &cut_at(&input, &cuts)), whole);
    }

    /// RFC 15, RFC 13: message streams in 2.0 and 1.0 framing.
    #[test]
    fn legacy_framings_at_any_chunking(
        messages in vec(message(), 0..6),
        v1 in any::<bool>(),
        cuts in vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let framing = if v1 { Framing::Zmtp1 } else { Framing::Zmtp2 };
        let items: Vec<Item> = messages.into_iter().map(Item::Message).collect();
        let input = encode_items(&items, framing);
        let whole = decode_chunks(framing, None, &[&input]);
        prop_assert_eq!(&whole, &(items, None));
        prop_assert_eq!(decode_chunks(framing, None, &cut_at(&input, &cuts)), whole);
    }

    /// Arbitrary octets: same items and same error at any chunking, in
    /// every framing.
    #[test]
    fn arbitrary_octets_at_any_chunking(
        input in vec(any::<u8>(), 0..200),
        framing in prop_oneof![Just(Framing::Zmtp3), Just(Framing::Zmtp2), Just(Framing::Zmtp1)],
        max in proptest::option::of(0u64..300),
        cuts in vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let whole = decode_chunks(framing, max, &[&input]);
        prop_assert_eq!(decode_chunks(framing, max, &cut_at(&input, &cuts)), whole.clone());
        let singles: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(decode_chunks(framing, max, &singles), whole);
    }
}
