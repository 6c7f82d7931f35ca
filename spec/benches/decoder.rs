//! Throughput of the streaming decoder and of the encoder.
//!
//! ```sh
//! cargo bench -p zmtp-spec --bench decoder
//! ```
//!
//! - `decode/64B-messages`: a buffer of single-frame 64-octet messages,
//!   handed over without a copy ([`Decoder::push_buf`]) and drained with
//!   [`Decoder::poll_item`]; criterion reports frames/s (target: >= 10 M).
//! - `decode/64B-messages-copied`: the same, pushed as a slice
//!   ([`Decoder::push`]), i.e. with the one copy a transport read costs.
//! - `decode/64KiB-frames`: single-frame 64 KiB messages; reported in
//!   bytes/s (target: >= 5 GB/s). Bodies are split off the buffer, so
//!   this measures the per-frame cost, not a copy.
//! - `decode/64KiB-frames-copied` and `decode/64KiB-in-16KiB-reads`: the
//!   same frames pushed as one slice, and in 16 KiB reads (one copy each,
//!   plus the buffer growth while a body is pending).
//! - `decode/64B-in-4KiB-reads`: 64-octet messages arriving in 4 KiB
//!   reads, the shape a socket read loop gives.
//! - `decode/64KiB-read-in-place` and `decode/64B-read-in-place`: the same
//!   streams written into [`Decoder::read_buffer`] as a transport's read
//!   does (the `put_slice` stands for the kernel's copy), at most 64 KiB
//!   per read: bodies land where the messages keep them.
//! - `encode/*`: the encoder writing the same messages into a buffer.

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use zmtp_spec::Message;
use zmtp_spec::wire::{Decoder, Encode, Framing, Item};

/// Messages per buffer in the 64-octet benchmarks.
const SMALL_COUNT: usize = 100_000;
/// Frames per buffer in the 64 KiB benchmarks.
const LARGE_COUNT: usize = 256;

fn encoded(message: &Message, count: usize) -> BytesMut {
    let mut out = BytesMut::with_capacity(message.encoded_len() * count);
    for _ in 0..count {
        message.encode(&mut out).expect("encodable");
    }
    out
}

/// Drains a decoder, returning the number of messages.
fn drain(decoder: &mut Decoder) -> usize {
    let mut n = 0;
    while let Some(item) = decoder.poll_item().expect("valid stream") {
        debug_assert!(matches!(item, Item::Message(_)));
        black_box(item);
        n += 1;
    }
    n
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");

    let small = Message::from(Bytes::from(vec![0xA5u8; 64]));
    let small_stream = encoded(&small, SMALL_COUNT);
    group.throughput(Throughput::Elements(SMALL_COUNT as u64));
    group.bench_function("64B-messages", |b| {
        b.iter_batched(
            || small_stream.clone(),
            |input| {
                let mut decoder = Decoder::new(Framing::Zmtp3);
                decoder.push_buf(input);
                assert_eq!(drain(&mut decoder), SMALL_COUNT);
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("64B-messages-copied", |b| {
        b.iter(|| {
            let mut decoder = Decoder::new(Framing::Zmtp3);
            decoder.push(&small_stream);
            assert_eq!(drain(&mut decoder), SMALL_COUNT);
        });
    });
    group.bench_function("64B-in-4KiB-reads", |b| {
        b.iter(|| {
            let mut decoder = Decoder::new(Framing::Zmtp3);
            let mut n = 0;
            for chunk in small_stream.chunks(4096) {
                decoder.push(chunk);
                n += drain(&mut decoder);
            }
            assert_eq!(n, SMALL_COUNT);
        });
    });

    let large = Message::from(Bytes::from(vec![0x5Au8; 64 * 1024]));
    let large_stream = encoded(&large, LARGE_COUNT);
    group.throughput(Throughput::Bytes((64 * 1024 * LARGE_COUNT) as u64));
    group.bench_function("64KiB-frames", |b| {
        b.iter_batched(
            || large_stream.clone(),
            |input| {
                let mut decoder = Decoder::new(Framing::Zmtp3);
                decoder.push_buf(input);
                assert_eq!(drain(&mut decoder), LARGE_COUNT);
            },
            BatchSize::LargeInput,
        );
    });
    group.bench_function("64KiB-frames-copied", |b| {
        b.iter(|| {
            let mut decoder = Decoder::new(Framing::Zmtp3);
            decoder.push(&large_stream);
            assert_eq!(drain(&mut decoder), LARGE_COUNT);
        });
    });
    group.bench_function("64KiB-in-16KiB-reads", |b| {
        b.iter(|| {
            let mut decoder = Decoder::new(Framing::Zmtp3);
            let mut n = 0;
            for chunk in large_stream.chunks(16 * 1024) {
                decoder.push(chunk);
                n += drain(&mut decoder);
            }
            assert_eq!(n, LARGE_COUNT);
        });
    });
    group.bench_function("64KiB-read-in-place", |b| {
        b.iter(|| assert_eq!(read_in_place(&large_stream), LARGE_COUNT));
    });
    group.throughput(Throughput::Elements(SMALL_COUNT as u64));
    group.bench_function("64B-read-in-place", |b| {
        b.iter(|| assert_eq!(read_in_place(&small_stream), SMALL_COUNT));
    });
    group.finish();
}

/// Decodes `stream` as a transport reading into [`Decoder::read_buffer`]
/// would feed it (reads of at most 64 KiB); returns the message count.
fn read_in_place(stream: &[u8]) -> usize {
    use bytes::BufMut;
    let mut decoder = Decoder::new(Framing::Zmtp3);
    let mut n = 0;
    let mut at = 0;
    while at < stream.len() {
        let mut room = decoder.read_buffer(64 * 1024);
        let len = room.remaining_mut().min(stream.len() - at);
        room.put_slice(&stream[at..at + len]);
        at += len;
        n += drain(&mut decoder);
    }
    n
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    let small = Message::from(Bytes::from(vec![0xA5u8; 64]));
    let mut out = BytesMut::with_capacity(small.encoded_len() * SMALL_COUNT);
    group.throughput(Throughput::Elements(SMALL_COUNT as u64));
    group.bench_function("64B-messages", |b| {
        b.iter(|| {
            out.clear();
            for _ in 0..SMALL_COUNT {
                black_box(&small).encode(&mut out).expect("encodable");
            }
            black_box(&out);
        });
    });
    let large = Message::from(Bytes::from(vec![0x5Au8; 64 * 1024]));
    let mut out = BytesMut::with_capacity(large.encoded_len() * LARGE_COUNT);
    group.throughput(Throughput::Bytes((64 * 1024 * LARGE_COUNT) as u64));
    group.bench_function("64KiB-frames", |b| {
        b.iter(|| {
            out.clear();
            for _ in 0..LARGE_COUNT {
                black_box(&large).encode(&mut out).expect("encodable");
            }
            black_box(&out);
        });
    });
    group.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
