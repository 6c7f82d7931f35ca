//! Multipart messages: what the application sends and receives, and what the
//! socket-pattern machines route.

use bytes::Bytes;

/// A multipart message: one or more frames, sent and delivered atomically
/// (37-R21, 37-R41).
///
/// Frames are [`Bytes`], so cloning a message or moving it between queues
/// never copies frame bodies. A message with no frames is representable (it
/// is what an application builds before its first `push`), but the
/// encoder and the pattern machines refuse to send one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Message {
    frames: Vec<Bytes>,
}

impl Message {
    /// An empty message, with no frames yet.
    pub const fn new() -> Self {
        Self { frames: Vec::new() }
    }

    /// A message made of the given frames, in order.
    pub fn from_frames<I, F>(frames: I) -> Self
    where
        I: IntoIterator<Item = F>,
        F: Into<Bytes>,
    {
        Self {
            frames: frames.into_iter().map(Into::into).collect(),
        }
    }

    /// Appends a frame.
    pub fn push(&mut self, frame: impl Into<Bytes>) {
        self.frames.push(frame.into());
    }

    /// Prepends a frame (an envelope part such as a routing id or the empty
    /// delimiter).
    pub fn push_front(&mut self, frame: impl Into<Bytes>) {
        self.frames.insert(0, frame.into());
    }

    /// Removes and returns the first frame.
    pub fn pop_front(&mut self) -> Option<Bytes> {
        if self.frames.is_empty() {
            None
        } else {
            Some(self.frames.remove(0))
        }
    }

    /// The frames, in order.
    pub fn frames(&self) -> &[Bytes] {
        &self.frames
    }

    /// The frames, mutably.
    pub fn frames_mut(&mut self) -> &mut Vec<Bytes> {
        &mut self.frames
    }

    /// Consumes the message and returns its frames.
    pub fn into_frames(self) -> Vec<Bytes> {
        self.frames
    }

    /// The first frame, if any: what PUB/SUB match subscriptions against
    /// (29-R08) and what ROUTER takes as the destination (28-R40).
    pub fn first(&self) -> Option<&Bytes> {
        self.frames.first()
    }

    /// The number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether the message has no frames.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The total size of all frame bodies, in octets.
    pub fn byte_len(&self) -> usize {
        self.frames.iter().map(Bytes::len).sum()
    }

    /// Iterates over the frames.
    pub fn iter(&self) -> core::slice::Iter<'_, Bytes> {
        self.frames.iter()
    }
}

impl From<Bytes> for Message {
    fn from(frame: Bytes) -> Self {
        Self {
            frames: vec![frame],
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
        Self { frames }
    }
}

impl FromIterator<Bytes> for Message {
    fn from_iter<T: IntoIterator<Item = Bytes>>(iter: T) -> Self {
        Self {
            frames: iter.into_iter().collect(),
        }
    }
}

impl IntoIterator for Message {
    type Item = Bytes;
    type IntoIter = std::vec::IntoIter<Bytes>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames.into_iter()
    }
}

impl<'a> IntoIterator for &'a Message {
    type Item = &'a Bytes;
    type IntoIter = core::slice::Iter<'a, Bytes>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames.iter()
    }
}

#[cfg(test)]
mod tests;
