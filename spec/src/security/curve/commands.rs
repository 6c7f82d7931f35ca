//! The CURVE command layouts (G-C1..G-C7) as typed values: each parses the
//! command data after the name and encodes it back. The boxes stay sealed
//! here; [`super::client`] and [`super::server`] open them.
//!
//! Sizes with the name included: HELLO 200 (26-R06), WELCOME 168
//! (26-R23), INITIATE at least 257 (26-R32), READY at least 30 (26-R45),
//! MESSAGE at least 33 (26-R54).
//!
//! Each layout is a view of [`crate::wire::view::curve`] plus its check,
//! and each encoder writes through that view's builder: the layouts exist
//! once.

use bytes::Bytes;

use super::cookie::COOKIE_LEN;
use super::crypto::{KEY_LEN, PublicKey, TAG_LEN};
use crate::wire::WireError;
use crate::wire::view::curve::{
    HelloBuilder, HelloView, InitiateBoxView, InitiateBuilder, InitiateView, NonceBoxView,
    WelcomeBoxView, WelcomeBuilder, WelcomeView,
};

/// The data of a HELLO after its name (G-C1).
pub const HELLO_DATA_LEN: usize = 194;
/// The data of a WELCOME after its name (G-C2).
pub const WELCOME_DATA_LEN: usize = 160;
/// The shortest INITIATE data after its name: cookie, nonce, and a box of
/// C and the vouch (G-C4).
pub const MIN_INITIATE_DATA_LEN: usize = COOKIE_LEN + 8 + TAG_LEN + KEY_LEN + VOUCH_LEN;
/// The shortest READY data: nonce and an empty box (G-C6).
pub const MIN_READY_DATA_LEN: usize = 8 + TAG_LEN;
/// The shortest MESSAGE data: nonce and a box of the flags octet (G-C7).
pub const MIN_MESSAGE_DATA_LEN: usize = 8 + TAG_LEN + 1;
/// The vouch: a long nonce and a box of C' and S (G-C5).
pub const VOUCH_LEN: usize = 16 + TAG_LEN + 2 * KEY_LEN;
/// The HELLO signature box: 64 zero octets boxed (26-R13).
pub const SIGNATURE_BOX_LEN: usize = TAG_LEN + 64;
/// The WELCOME box: S' and the cookie (G-C2).
pub const WELCOME_BOX_LEN: usize = TAG_LEN + KEY_LEN + COOKIE_LEN;

/// The HELLO version, 1.0 (26-R07).
pub const VERSION: [u8; 2] = [1, 0];
/// The anti-amplification padding: 72 zero octets (26-R08; the prose's 70
/// is an erratum, zmtp-wire.md 6.1 #13).
pub const PADDING_LEN: usize = 72;

/// `hello = version:2 (01 00) padding:72 (zeros) C':32 nonce:8 box:80`
/// (G-C1, 26-R06..R08, 26-R13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The client's transient public key C'.
    pub client_transient: PublicKey,
    /// The short nonce.
    pub nonce: u64,
    /// Box[64 zeros](C'->S).
    pub signature: [u8; SIGNATURE_BOX_LEN],
}

impl Hello {
    /// Parses HELLO data (after the name). A wrong length (26-R06),
    /// version (26-R07) or a non-zero padding octet (26-R08) is refused.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C1.
    pub fn parse(data: &[u8]) -> Result<Self, WireError> {
        HelloView::new(data).check()
    }

    /// The data after the name, 194 octets.
    pub fn encode(&self) -> Bytes {
        Bytes::from(HelloBuilder::from(self).build())
    }
}

/// `welcome = nonce:16 box:144` (G-C2, 26-R23).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Welcome {
    /// The server's long nonce.
    pub nonce: [u8; 16],
    /// Box[S' + cookie](S->C').
    pub boxed: [u8; WELCOME_BOX_LEN],
}

impl Welcome {
    /// Parses WELCOME data: exactly 160 octets (26-R23).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C2.
    pub fn parse(data: &[u8]) -> Result<Self, WireError> {
        WelcomeView::new(data).check()
    }

    /// The data after the name, 160 octets.
    pub fn encode(&self) -> Bytes {
        Bytes::from(WelcomeBuilder::from(self).build())
    }
}

/// `initiate = cookie:96 nonce:8 box:144+` (G-C4, 26-R32).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initiate {
    /// The cookie from WELCOME, returned unchanged.
    pub cookie: [u8; COOKIE_LEN],
    /// The short nonce.
    pub nonce: u64,
    /// Box[C + vouch + metadata](C'->S').
    pub boxed: Bytes,
}

impl Initiate {
    /// Parses INITIATE data: at least 248 octets (26-R32). The box shares
    /// `data`'s buffer.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C4.
    pub fn parse(data: &Bytes) -> Result<Self, WireError> {
        let view = InitiateView::new(&data[..]);
        let fields = view.check()?;
        Ok(Self {
            cookie: fields.cookie,
            nonce: fields.nonce,
            boxed: data.slice_ref(fields.boxed),
        })
    }

    /// The data after the name.
    pub fn encode(&self) -> Bytes {
        let builder = InitiateBuilder::new()
            .cookie(self.cookie)
            .nonce(self.nonce)
            .initiate_box(&self.boxed);
        Bytes::from(builder.build())
    }
}

/// A command that is a short nonce and a box: READY (G-C6, at least 24
/// octets of data, 26-R45) and MESSAGE (G-C7, at least 25, 26-R54).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceBox {
    /// The short nonce.
    pub nonce: u64,
    /// The box, sharing the command's buffer.
    pub boxed: Bytes,
}

impl NonceBox {
    /// Parses READY data (G-C6, 26-R45).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C6.
    pub fn parse_ready(data: &Bytes) -> Result<Self, WireError> {
        let view = NonceBoxView::new(&data[..]);
        let fields = view.check_ready()?;
        Ok(Self {
            nonce: fields.nonce,
            boxed: data.slice_ref(fields.boxed),
        })
    }

    /// Parses MESSAGE data (G-C7, 26-R54).
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C7.
    pub fn parse_message(data: &Bytes) -> Result<Self, WireError> {
        let view = NonceBoxView::new(&data[..]);
        let fields = view.check_message()?;
        Ok(Self {
            nonce: fields.nonce,
            boxed: data.slice_ref(fields.boxed),
        })
    }
}

/// The opened WELCOME box: S' and the cookie (G-C2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WelcomeContent {
    /// The server's transient public key S'.
    pub server_transient: PublicKey,
    /// The cookie to return in INITIATE.
    pub cookie: [u8; COOKIE_LEN],
}

impl WelcomeContent {
    /// Reads an opened WELCOME box: exactly 128 octets.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C2.
    pub fn parse(plain: &[u8]) -> Result<Self, WireError> {
        WelcomeBoxView::new(plain).check()
    }
}

/// The opened INITIATE box: C, the vouch and the metadata (G-C4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateContent {
    /// The client's permanent public key C.
    pub client_permanent: PublicKey,
    /// The vouch: long nonce and Box[C' + S](C->S') (G-C5).
    pub vouch: [u8; VOUCH_LEN],
    /// The metadata octets (parsed by the caller, G10).
    pub metadata: Bytes,
}

impl InitiateContent {
    /// Reads an opened INITIATE box; the metadata shares `plain`'s buffer.
    ///
    /// # Errors
    /// [`WireError::BadMechanismCommand`] naming G-C4.
    pub fn parse(plain: &Bytes) -> Result<Self, WireError> {
        let view = InitiateBoxView::new(&plain[..]);
        let fields = view.check()?;
        Ok(Self {
            client_permanent: PublicKey::from_bytes(fields.client_permanent),
            vouch: fields.vouch,
            metadata: plain.slice_ref(fields.metadata),
        })
    }
}
