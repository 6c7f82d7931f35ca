//! The body of the fuzz target `views`: for any octets (read as every
//! layout, libzmq's udp datagram included), the strict grammar
//! equals the lenient views plus their checks, the views' fields agree
//! with what the grammar parsed, and the builders write back exactly the
//! octets the views read, valid or not.
//!
//! Not part of the API (feature `fuzzing`). `cargo test` replays
//! `fuzz/corpus/views/` through it (`tests/fuzz_corpus.rs`).

use bytes::Bytes;

use super::curve::{
    HelloBuilder, HelloView, InitiateBuilder, InitiateView, NonceBoxBuilder, NonceBoxView,
    WelcomeBuilder, WelcomeView,
};
use super::{
    CheckError, CommandBuilder, CommandView, FrameBuilder, FrameView, GreetingBuilder,
    GreetingView, MetadataBuilder, MetadataView, PropertyBuilder, V1FrameBuilder, V1FrameView,
};
use crate::security::curve::commands::{Hello, Initiate, NonceBox, Welcome};
use crate::wire::frame::{frame, frame_header, zmtp1_frame_header, zmtp2_frame_header};
use crate::wire::greeting::{Greeting, detect, greeting, partial_greeting, signature};
use crate::wire::legacy::{v1_identity, v2_greeting, v2_identity};
use crate::wire::metadata::metadata as metadata_rule;
use crate::wire::{Command, Flags, Metadata, WireError};

/// Target `views`: the same octets read as a greeting, a 3.x, 2.0 and 1.0
/// frame, a command body (and the body of the frame, if there is one), a
/// metadata body (and the command's data), and the CURVE layouts.
///
/// Checks: no accessor panics; each grammar rule's outcome (value, octets
/// used, "need more" or error) equals its view's check; after a
/// successful parse every field the view reads equals the parsed value;
/// the builders, given the fields a view reads, write the same octets
/// back, whether those fields are valid or not.
pub fn views(data: &[u8]) {
    check_greeting(data);
    let body = check_frames(data);
    check_command(data);
    check_metadata(data);
    if let Some(body) = body {
        check_command(body);
        if let Some(data) = CommandView::new(body).data() {
            check_metadata(data);
        }
    }
    check_curve(data);
    check_plain(data);
    check_datagram(data);
}

/// libzmq's udp datagram: the rule equals the view's check, the view's
/// fields build the same octets back (valid or not), and a valid one
/// encodes to itself.
fn check_datagram(data: &[u8]) {
    let view = super::DatagramView::new(data);
    let checked = view.check();
    assert_eq!(crate::wire::datagram::Datagram::parse(data), checked);
    if let Some(len) = view.group_len() {
        let after = view.after_len();
        let (group, body) = match (view.group(), view.body()) {
            (Some(g), Some(b)) => (g, b),
            _ => (after, &[][..]),
        };
        let built = super::DatagramBuilder::new()
            .group_len(len)
            .group(group)
            .body(body)
            .build();
        assert_eq!(built, data);
    } else {
        assert_eq!(super::DatagramBuilder::empty().build(), data);
    }
    if let Ok(d) = checked {
        assert_eq!(d.to_vec().as_deref(), Ok(data));
    }
}

/// PLAIN HELLO: spec's parser equals the view's check, and a valid one
/// builds back from its fields.
fn check_plain(data: &[u8]) {
    let shared = Bytes::copy_from_slice(data);
    let view = super::plain::HelloView::new(data);
    let (_, _) = (view.username_len(), view.password_len());
    assert_eq!(
        crate::security::plain::Hello::parse(&shared).map(|h| (h.username, h.password)),
        view.check()
            .map(|(u, p)| (Bytes::copy_from_slice(u), Bytes::copy_from_slice(p)))
    );
    if let Ok((username, password)) = view.check() {
        assert_eq!(
            super::plain::HelloBuilder::new(username, password).build(),
            data
        );
    }
}

/// A streaming rule's outcome in the views' terms.
fn outcome<T>(
    input: &[u8],
    result: nom::IResult<&[u8], T, WireError>,
) -> Result<(T, usize), CheckError> {
    match result {
        Ok((rest, value)) => Ok((value, input.len() - rest.len())),
        Err(nom::Err::Incomplete(nom::Needed::Size(n))) => Err(CheckError::Incomplete(n.get())),
        Err(nom::Err::Incomplete(nom::Needed::Unknown)) => {
            panic!("a rule said \"need more\" without a count")
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(CheckError::Invalid(e)),
    }
}

fn check_greeting(data: &[u8]) {
    let view = GreetingView::new(data);
    let checked = view.check();
    assert_eq!(
        outcome(data, greeting(data)),
        checked.clone().map(|g| (g, Greeting::LEN))
    );
    assert_eq!(
        outcome(data, signature(data)),
        view.check_signature().map(|s| (s, Greeting::SIGNATURE_LEN))
    );
    assert_eq!(
        outcome(data, partial_greeting(data)),
        view.check_partial().map(|p| (p, Greeting::PARTIAL_LEN))
    );
    assert_eq!(
        outcome(data, v2_greeting(data)),
        view.check_v2()
            .map(|g| (g, crate::wire::legacy::V2Greeting::LEN))
    );
    assert_eq!(outcome(data, detect(data)), view.detect().map(|d| (d, 0)));
    if let Ok(g) = checked {
        assert_eq!(view.padding(), Some(g.padding));
        assert_eq!(view.version(), Some(g.version));
        assert_eq!(view.mechanism(), Some(g.mechanism));
        assert_eq!(view.as_server(), Some(u8::from(g.as_server)));
    }
    // Whatever the 64 octets hold, the builder writes them back.
    if let (Some(start), Some(padding), Some(end), Some(version), Some(mechanism)) = (
        view.signature_start(),
        view.padding(),
        view.signature_end(),
        view.version(),
        view.mechanism(),
    ) && let (Some(as_server), Some(filler)) = (view.as_server(), view.filler())
    {
        let built = GreetingBuilder::new()
            .signature_start(start)
            .padding(padding)
            .signature_end(end)
            .version(version)
            .mechanism(mechanism)
            .as_server(as_server)
            .filler(filler)
            .build();
        assert_eq!(&built[..], &data[..Greeting::LEN]);
    }
}

/// The frame checks; returns the 3.x frame's body when it is all there.
fn check_frames(data: &[u8]) -> Option<&[u8]> {
    let view = FrameView::new(data);
    let header_len = || view.header_len().expect("a header was read");
    assert_eq!(
        outcome(data, frame_header(data)),
        view.check_header().map(|h| (h, header_len()))
    );
    assert_eq!(
        outcome(data, zmtp2_frame_header(data)),
        view.check_zmtp2_header().map(|h| (h, header_len()))
    );
    let whole = view.check();
    assert_eq!(
        outcome(data, frame(data)),
        whole.clone().map(|(h, b)| ((h, b), header_len() + b.len()))
    );
    assert_eq!(
        outcome(data, v2_identity(data)),
        view.check_v2_identity().map(|id| (id, 2 + id.len()))
    );
    if let Ok((header, body)) = whole {
        assert_eq!(view.size(), Some(header.size));
        assert_eq!(view.body(), Some(body));
        let flags = view.flags().expect("flags were read");
        assert_eq!(header.kind_flags(), flags.0 & !Flags::LONG);
    }
    // A complete frame, whatever its flags, is written back by the builder.
    let body = view.body();
    if let (Some(flags), Some(size), Some(body)) = (view.flags(), view.size(), body) {
        let built = FrameBuilder::new()
            .flags(flags.0)
            .long(flags.long())
            .size(size)
            .body(body)
            .build();
        assert_eq!(&built[..], &data[..built.len()]);
    }

    let v1 = V1FrameView::new(data);
    let length_len = || v1.length_len().expect("a length was read");
    assert_eq!(
        outcome(data, zmtp1_frame_header(data)),
        v1.check_header().map(|h| (h, length_len() + 1))
    );
    assert_eq!(
        outcome(data, v1_identity(data)),
        v1.check_identity()
            .map(|id| (id, length_len() + 1 + id.identity.len()))
    );
    if let (Some(length), Some(flags), Some(v1_body)) = (v1.length(), v1.flags(), v1.body()) {
        let built = V1FrameBuilder::new()
            .length(length)
            .long(v1.length_len() != Some(1))
            .flags(flags)
            .body(v1_body)
            .build();
        assert_eq!(&built[..], &data[..built.len()]);
    }
    body
}

fn check_command(body: &[u8]) {
    let view = CommandView::new(body);
    let _ = (view.reason(), view.ttl(), view.ping_context());
    let parsed = Command::parse(&Bytes::copy_from_slice(body));
    match view.check_name() {
        Err(e) => assert_eq!(parsed, Err(e)),
        Ok(name) => {
            let by_view = match name {
                b"READY" => view.check_ready().map(drop),
                b"ERROR" => view.check_error().map(drop),
                b"PING" => view.check_ping().map(drop),
                b"PONG" => view.check_pong().map(drop),
                b"JOIN" => view.check_join().map(drop),
                b"LEAVE" => view.check_leave().map(drop),
                _ => Ok(()),
            };
            assert_eq!(
                parsed.as_ref().map(drop),
                by_view.as_ref().map(drop),
                "{name:?}"
            );
            if let Ok(command) = &parsed {
                assert_eq!(command.name(), name);
                check_command_fields(&view, command);
            }
        }
    }
    if let (Some(name), Some(data)) = (view.name(), view.data()) {
        let built = CommandBuilder::new(name).data(data).build();
        assert_eq!(&built[..], body);
    }
}

fn check_command_fields(view: &CommandView<&[u8]>, command: &Command) {
    let data = view.data().expect("a whole name");
    match command {
        Command::Ready(md) => {
            let properties = view.metadata().expect("data").properties();
            assert!(
                properties.map(|p| (p.name(), p.value())).eq(md
                    .properties()
                    .iter()
                    .map(|p| (Some(&p.name[..]), Some(&p.value[..]))))
            );
        }
        Command::Error { reason } => assert_eq!(view.reason(), Some(&reason[..])),
        Command::Ping { ttl, context } => {
            assert_eq!(view.ttl(), Some(*ttl));
            assert_eq!(view.ping_context(), Some(&context[..]));
        }
        Command::Subscribe(x)
        | Command::Cancel(x)
        | Command::Join(x)
        | Command::Leave(x)
        | Command::Pong { context: x }
        | Command::Mechanism { body: x, .. }
        | Command::Unknown { body: x, .. } => assert_eq!(data, &x[..]),
    }
}

fn check_metadata(body: &[u8]) {
    let view = MetadataView::new(body);
    let parsed = Metadata::parse(&Bytes::copy_from_slice(body));
    let checked = view.check();
    let strict = match metadata_rule(body) {
        Ok((rest, refs)) => {
            assert!(rest.is_empty());
            Ok(refs)
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
        Err(nom::Err::Incomplete(n)) => panic!("a complete rule needs {n:?}"),
    };
    assert_eq!(strict, checked);
    assert_eq!(
        parsed.as_ref().map(Metadata::len),
        checked.as_ref().map(Vec::len)
    );
    if let Ok(md) = &parsed {
        for (p, property) in view.properties().zip(md.properties()) {
            assert_eq!(p.name(), Some(&property.name[..]));
            assert_eq!(p.value(), Some(&property.value[..]));
        }
    }
    // Complete properties, valid or not, are written back by the builders.
    let mut builder = MetadataBuilder::new();
    let mut used = 0;
    for p in view.properties() {
        let (Some(len), Some(name), Some(value_len), Some(value)) =
            (p.name_len(), p.name(), p.value_len(), p.value())
        else {
            break;
        };
        builder = builder.raw(
            PropertyBuilder::new(name, value)
                .name_len(len)
                .value_len(value_len),
        );
        used += p.declared_len().expect("a whole property");
    }
    assert_eq!(builder.build(), &body[..used]);
}

fn check_curve(data: &[u8]) {
    let shared = Bytes::copy_from_slice(data);
    let hello = HelloView::new(data);
    assert_eq!(Hello::parse(data), hello.check());
    if let Ok(h) = hello.check() {
        assert_eq!(&HelloBuilder::from(&h).build()[..], data);
    }
    let welcome = WelcomeView::new(data);
    assert_eq!(Welcome::parse(data), welcome.check());
    if let (Some(nonce), Some(boxed)) = (welcome.nonce(), welcome.welcome_box()) {
        assert_eq!(
            WelcomeBuilder::new()
                .nonce(nonce)
                .welcome_box(boxed)
                .build(),
            data
        );
    }
    let initiate = InitiateView::new(data);
    assert_eq!(
        Initiate::parse(&shared).map(|i| (i.cookie, i.nonce, i.boxed)),
        initiate
            .check()
            .map(|f| (f.cookie, f.nonce, Bytes::copy_from_slice(f.boxed)))
    );
    if let (Some(cookie), Some(nonce), Some(boxed)) =
        (initiate.cookie(), initiate.nonce(), initiate.initiate_box())
    {
        let built = InitiateBuilder::new()
            .cookie(cookie)
            .nonce(nonce)
            .initiate_box(boxed)
            .build();
        assert_eq!(built, data);
    }
    let nonce_box = NonceBoxView::new(data);
    let fields = |f: super::curve::NonceBoxFields<'_>| (f.nonce, Bytes::copy_from_slice(f.boxed));
    let parts = |n: NonceBox| (n.nonce, n.boxed);
    assert_eq!(
        NonceBox::parse_ready(&shared).map(parts),
        nonce_box.check_ready().map(fields)
    );
    assert_eq!(
        NonceBox::parse_message(&shared).map(parts),
        nonce_box.check_message().map(fields)
    );
    if let (Some(nonce), Some(boxed)) = (nonce_box.nonce(), nonce_box.boxed()) {
        assert_eq!(
            NonceBoxBuilder::new().nonce(nonce).boxed(boxed).build(),
            data
        );
    }
}

#[cfg(test)]
mod tests;
