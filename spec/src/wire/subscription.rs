//! The ZMTP 3.0 / 2.0 subscription messages (G17): a single-frame message
//! whose body is `01` + topic (subscribe) or `00` + topic (unsubscribe).
//! ZMTP 3.1 uses the SUBSCRIBE and CANCEL commands instead; which one a
//! connection uses is keyed on the peer's minor version (zmtp-wire.md
//! 6.1 #19).

use bytes::Bytes;
use nom::combinator::rest;
use nom::number::complete::be_u8;

use super::{IResult, WireError, fail, run_complete};

#[cfg(test)]
mod tests;

/// A subscription change carried as a message (G17).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SubscriptionMessage {
    /// `01` + topic.
    Subscribe(Bytes),
    /// `00` + topic.
    Cancel(Bytes),
}

/// `subscription-message = (01 | 00) topic:*OCTET` (G17).
///
/// Returns `true` for subscribe. An empty body or a first octet other than
/// `00`/`01` is [`WireError::BadSubscriptionMessage`]. (The message must be
/// a single frame; that is the caller's check on the message, see
/// [`SubscriptionMessage::parse_message`].)
pub fn subscription_message(input: &[u8]) -> IResult<'_, (bool, &[u8])> {
    let Ok((input, octet)) = be_u8::<_, WireError>(input) else {
        return fail(WireError::BadSubscriptionMessage);
    };
    let subscribe = match octet {
        0x01 => true,
        0x00 => false,
        _ => return fail(WireError::BadSubscriptionMessage),
    };
    let (input, topic) = rest(input)?;
    Ok((input, (subscribe, topic)))
}

impl SubscriptionMessage {
    /// Parses the body of a subscription message frame; the topic shares
    /// `body`'s buffer.
    ///
    /// # Errors
    /// [`WireError::BadSubscriptionMessage`] if the body does not start with
    /// `00` or `01` (G17).
    pub fn parse(body: &Bytes) -> Result<Self, WireError> {
        let (subscribe, topic) = run_complete(subscription_message, body, |_| {
            WireError::BadSubscriptionMessage
        })?;
        let topic = body.slice_ref(topic);
        Ok(if subscribe {
            Self::Subscribe(topic)
        } else {
            Self::Cancel(topic)
        })
    }

    /// Parses a whole message as a subscription message: it must have
    /// exactly one frame (G17).
    ///
    /// # Errors
    /// [`WireError::BadSubscriptionMessage`] for a multipart or empty
    /// message or a bad first octet.
    pub fn parse_message(message: &crate::Message) -> Result<Self, WireError> {
        match message.frames() {
            [body] => Self::parse(body),
            _ => Err(WireError::BadSubscriptionMessage),
        }
    }

    /// The topic.
    pub fn topic(&self) -> &Bytes {
        match self {
            Self::Subscribe(topic) | Self::Cancel(topic) => topic,
        }
    }

    /// The first octet: `01` for subscribe, `00` for cancel.
    pub const fn prefix(&self) -> u8 {
        match self {
            Self::Subscribe(_) => 0x01,
            Self::Cancel(_) => 0x00,
        }
    }
}
