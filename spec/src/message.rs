//! Multipart messages: what the application sends and receives, and what the
//! socket-pattern machines route.

use std::sync::Arc;

use bytes::Bytes;

use crate::wire::Metadata;

/// A multipart message: one or more frames, sent and delivered atomically
/// (37-R21, 37-R41).
///
/// Frames are [`Bytes`], so cloning a message or moving it between queues
/// never copies frame bodies. A one-frame message keeps its frame inline
/// (no allocation besides the body's). A message with no frames is
/// representable (it is what an application builds before its first
/// `push`), but the encoder and the pattern machines refuse to send one.
///
/// A received message also carries the properties of the connection it
/// came from ([`Message::metadata`]): the peer's READY metadata and what
/// the ZAP handler said about the peer (`User-Id` and its metadata, 27-R25),
/// as libzmq's `zmq_msg_gets` exposes them. They are shared by every
/// message of that connection and take no part in equality or hashing.
#[derive(Clone, Debug, Default)]
pub struct Message {
    frames: Frames,
    metadata: Option<Arc<Metadata>>,
}

/// The frames, with the common one-frame case inline.
#[derive(Clone, Debug, Default)]
enum Frames {
    #[default]
    Empty,
    One(Bytes),
    Many(Vec<Bytes>),
}

impl Frames {
    fn as_slice(&self) -> &[Bytes] {
        match self {
            Self::Empty => &[],
            Self::One(frame) => core::slice::from_ref(frame),
            Self::Many(frames) => frames,
        }
    }

    fn to_vec_mut(&mut self) -> &mut Vec<Bytes> {
        let frames = match core::mem::take(self) {
            Self::Empty => Vec::new(),
            // Room for the frames an envelope adds (routing id, request id,
            // delimiter) without a second allocation: this is called to
            // grow the message.
            Self::One(frame) => {
                let mut frames = Vec::with_capacity(4);
                frames.push(frame);
                frames
            }
            Self::Many(frames) => frames,
        };
        *self = Self::Many(frames);
        match self {
            Self::Many(frames) => frames,
            _ => unreachable!("just set to Many"),
        }
    }

    fn into_vec(self) -> Vec<Bytes> {
        match self {
            Self::Empty => Vec::new(),
            Self::One(frame) => vec![frame],
            Self::Many(frames) => frames,
        }
    }
}

impl Message {
    /// An empty message, with no frames yet.
    pub const fn new() -> Self {
        Self {
            frames: Frames::Empty,
            metadata: None,
        }
    }

    /// A message made of the given frames, in order.
    pub fn from_frames<I, F>(frames: I) -> Self
    where
        I: IntoIterator<Item = F>,
        F: Into<Bytes>,
    {
        frames.into_iter().map(Into::into).collect()
    }

    /// Appends a frame.
    pub fn push(&mut self, frame: impl Into<Bytes>) {
        let frame = frame.into();
        match &mut self.frames {
            Frames::Empty => self.frames = Frames::One(frame),
            Frames::One(_) => self.frames.to_vec_mut().push(frame),
            Frames::Many(frames) => frames.push(frame),
        }
    }

    /// Prepends a frame (an envelope part such as a routing id or the empty
    /// delimiter).
    pub fn push_front(&mut self, frame: impl Into<Bytes>) {
        let frame = frame.into();
        match &mut self.frames {
            Frames::Empty => self.frames = Frames::One(frame),
            _ => self.frames.to_vec_mut().insert(0, frame),
        }
    }

    /// Removes and returns the first frame.
    pub fn pop_front(&mut self) -> Option<Bytes> {
        match &mut self.frames {
            Frames::Many(frames) => (!frames.is_empty()).then(|| frames.remove(0)),
            _ => match core::mem::take(&mut self.frames) {
                Frames::One(frame) => Some(frame),
                _ => None,
            },
        }
    }

    /// The frames, in order.
    pub fn frames(&self) -> &[Bytes] {
        self.frames.as_slice()
    }

    /// The frames, mutably, as a `Vec` (a one-frame message moves its
    /// frame into one).
    pub fn frames_mut(&mut self) -> &mut Vec<Bytes> {
        self.frames.to_vec_mut()
    }

    /// Consumes the message and returns its frames.
    pub fn into_frames(self) -> Vec<Bytes> {
        self.frames.into_vec()
    }

    /// The first frame, if any: what PUB/SUB match subscriptions against
    /// (29-R08) and what ROUTER takes as the destination (28-R40).
    pub fn first(&self) -> Option<&Bytes> {
        self.frames().first()
    }

    /// The number of frames.
    pub fn len(&self) -> usize {
        self.frames().len()
    }

    /// Whether the message has no frames.
    pub fn is_empty(&self) -> bool {
        self.frames().is_empty()
    }

    /// The total size of all frame bodies, in octets.
    pub fn byte_len(&self) -> usize {
        self.frames().iter().map(Bytes::len).sum()
    }

    /// Iterates over the frames.
    pub fn iter(&self) -> core::slice::Iter<'_, Bytes> {
        self.frames().iter()
    }

    /// The properties of the connection this message arrived on: the
    /// peer's READY metadata (Socket-Type, Identity, ...), the ZAP
    /// handler's metadata and `User-Id` (27-R25), and what the transport
    /// adds (`Peer-Address`). `None` for a message the application built.
    pub fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_deref()
    }

    /// One property of [`Message::metadata`], by name, ignoring ASCII case
    /// (37-R27): libzmq's `zmq_msg_gets`, e.g. `property("User-Id")`.
    pub fn property(&self, name: &str) -> Option<&Bytes> {
        self.metadata.as_deref().and_then(|m| m.get(name))
    }

    /// Attaches the connection's properties (what a connection does to
    /// every message it delivers; shared, not copied).
    pub fn set_metadata(&mut self, metadata: Option<Arc<Metadata>>) {
        self.metadata = metadata;
    }

    /// Builder form of [`Message::set_metadata`].
    #[must_use]
    pub fn with_metadata(mut self, metadata: Arc<Metadata>) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Equality is over the frames only: two messages with the same frames are
/// equal whatever connection they came from.
impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.frames() == other.frames()
    }
}

impl Eq for Message {}

impl core::hash::Hash for Message {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.frames().hash(state);
    }
}

impl From<Bytes> for Message {
    fn from(frame: Bytes) -> Self {
        Self {
            frames: Frames::One(frame),
            metadata: None,
        }
    }
}

impl From<Vec<u8>> for Message {
    fn from(frame: Vec<u8>) -> Self {
        Bytes::from(frame).into()
    }
}

impl From<&'static [u8]> for Message {
    fn from(frame: &'static [u8]) -> Self {
        Bytes::from_static(frame).into()
    }
}

impl From<&'static str> for Message {
    fn from(frame: &'static str) -> Self {
        Bytes::from_static(frame.as_bytes()).into()
    }
}

impl From<String> for Message {
    fn from(frame: String) -> Self {
        Bytes::from(frame).into()
    }
}

impl From<Vec<Bytes>> for Message {
    fn from(frames: Vec<Bytes>) -> Self {
        Self {
            frames: Frames::Many(frames),
            metadata: None,
        }
    }
}

/// A message of frames of the same type, owned or `'static`:
/// `Message::from(["a", "b"])`, `Message::from([key, value])`.
impl<F: Into<Bytes>, const N: usize> From<[F; N]> for Message {
    fn from(frames: [F; N]) -> Self {
        Self::from_frames(frames)
    }
}

/// Messages of two to eight frames of mixed types, each anything a frame
/// is made from (`&'static str`, `&'static [u8]`, `String`, `Vec<u8>`,
/// `Bytes`): `Message::from(("topic", String::from("body")))`.
macro_rules! from_tuple {
    ($($f:ident),+) => {
        impl<$($f: Into<Bytes>),+> From<($($f,)+)> for Message {
            #[allow(non_snake_case)]
            fn from(($($f,)+): ($($f,)+)) -> Self {
                let mut message = Self::new();
                $( message.push($f); )+
                message
            }
        }
    };
}

from_tuple!(A, B);
from_tuple!(A, B, C);
from_tuple!(A, B, C, D);
from_tuple!(A, B, C, D, E);
from_tuple!(A, B, C, D, E, F);
from_tuple!(A, B, C, D, E, F, G);
from_tuple!(A, B, C, D, E, F, G, H);

/// A [`Message`] of the frames given, in order, each of any type a frame
/// is made from (`&'static str`, `&'static [u8]`, `String`, `Vec<u8>`,
/// `Bytes`): `msg!["topic", body, Bytes::from(id)]`. Borrowed data that is
/// not `'static` is copied in with `Bytes::copy_from_slice`; a byte-string
/// literal is written as a slice (`&b"key"[..]`).
///
/// ```
/// use zmtp_spec::{Message, msg};
///
/// let body = String::from("hello");
/// let m = msg![&b"key"[..], body, vec![1u8, 2]];
/// assert_eq!(m.frames().len(), 3);
/// assert_eq!(m.frames()[1], "hello");
/// assert_eq!(msg![], Message::new());
/// ```
#[macro_export]
macro_rules! msg {
    ($($frame:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut message = $crate::Message::new();
        $( message.push($frame); )*
        message
    }};
}

impl FromIterator<Bytes> for Message {
    fn from_iter<T: IntoIterator<Item = Bytes>>(iter: T) -> Self {
        let mut message = Self::new();
        for frame in iter {
            message.push(frame);
        }
        message
    }
}

/// The frames of a message, by value ([`Message`]'s `IntoIterator`).
#[derive(Debug)]
pub struct IntoFrames(IntoFramesInner);

#[derive(Debug)]
enum IntoFramesInner {
    One(Option<Bytes>),
    Many(std::vec::IntoIter<Bytes>),
}

impl Iterator for IntoFrames {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        match &mut self.0 {
            IntoFramesInner::One(frame) => frame.take(),
            IntoFramesInner::Many(frames) => frames.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.0 {
            IntoFramesInner::One(frame) => usize::from(frame.is_some()),
            IntoFramesInner::Many(frames) => frames.len(),
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for IntoFrames {}

impl IntoIterator for Message {
    type Item = Bytes;
    type IntoIter = IntoFrames;

    fn into_iter(self) -> Self::IntoIter {
        IntoFrames(match self.frames {
            Frames::Empty => IntoFramesInner::One(None),
            Frames::One(frame) => IntoFramesInner::One(Some(frame)),
            Frames::Many(frames) => IntoFramesInner::Many(frames.into_iter()),
        })
    }
}

impl<'a> IntoIterator for &'a Message {
    type Item = &'a Bytes;
    type IntoIter = core::slice::Iter<'a, Bytes>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames().iter()
    }
}

#[cfg(test)]
mod tests;
