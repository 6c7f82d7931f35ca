//! The raw CURVE server: HELLO, INITIATE and MESSAGE read and opened,
//! WELCOME, READY and MESSAGE built on request (G-C1..G-C7).
//!
//! Its cookie is 96 random octets that it compares with INITIATE's, not
//! a box under a cookie key: the client cannot tell (G-C3).

use rand_core::CryptoRngCore;

use super::{
    LongNonce, OpenedMessage, ShortNonce, data_of, open, open_message, seal, seal_message, take,
    unexpected_nonce,
};
use crate::connection::error::PeerError;
use crate::security::SecurityError;
use crate::security::curve::commands::Hello;
use crate::security::curve::cookie::COOKIE_LEN;
use crate::security::curve::crypto::{KEY_LEN, KeyPair, PublicKey, random_long_nonce};
use crate::wire::view::curve::{
    InitiateBoxView, InitiateView, LongNonceBoxView, NonceBoxBuilder, WelcomeBoxBuilder,
    WelcomeBuilder,
};

/// The raw peer as a CURVE server with permanent keys `keys`.
#[derive(Clone, Debug)]
pub struct Server {
    /// S and s.
    pub keys: KeyPair,
    /// S' and s'.
    pub transient: KeyPair,
    /// The cookie WELCOME carries and INITIATE must return.
    pub cookie: [u8; COOKIE_LEN],
    /// WELCOME's long nonce.
    pub welcome_nonce: [u8; 16],
    /// C', from HELLO.
    pub client_transient: PublicKey,
    /// C, from INITIATE.
    pub client_permanent: PublicKey,
    /// The long nonce of INITIATE's vouch (26-R35: unique per C).
    pub vouch_nonce: [u8; 16],
    /// The next short nonce (1 at first).
    pub nonce: u64,
    /// The client's last short nonce (HELLO's, INITIATE's, then each
    /// MESSAGE's).
    pub peer_nonce: u64,
}

impl Server {
    /// A server with permanent keys `keys`, and fresh transient keys,
    /// cookie and WELCOME nonce from `rng`.
    pub fn new(keys: KeyPair, rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        let transient = KeyPair::generate(rng);
        let mut cookie = [0; COOKIE_LEN];
        rng.fill_bytes(&mut cookie);
        Self {
            keys,
            transient,
            cookie,
            welcome_nonce: random_long_nonce(rng),
            client_transient: PublicKey::from_bytes([0; KEY_LEN]),
            client_permanent: PublicKey::from_bytes([0; KEY_LEN]),
            vouch_nonce: [0; 16],
            nonce: 1,
            peer_nonce: 0,
        }
    }

    /// Reads a HELLO command body (G-C1, 26-R06..R08): its signature box
    /// must open with C' and s and hold 64 zeros (26-R12, 26-R13). Keeps
    /// C' and the nonce.
    ///
    /// # Errors
    /// Another command, a malformed layout or a bad signature box.
    pub fn hello(&mut self, body: &[u8]) -> Result<(), PeerError> {
        let hello = Hello::parse(data_of(body, "HELLO")?)?;
        let plain = open(
            &hello.client_transient,
            self.keys.secret(),
            &ShortNonce::Hello.with(hello.nonce),
            &hello.signature,
        );
        if !plain.is_some_and(|p| p.iter().all(|&b| b == 0)) {
            return Err(SecurityError::BadBox("HELLO").into());
        }
        self.client_transient = hello.client_transient;
        self.peer_nonce = hello.nonce;
        Ok(())
    }

    /// A WELCOME command body (G-C2): Box[S' + cookie](S->C') under
    /// [`Server::welcome_nonce`] (26-R24).
    pub fn welcome(&self) -> Vec<u8> {
        let plain =
            WelcomeBoxBuilder::new(*self.transient.public().as_bytes(), &self.cookie).build();
        let boxed = seal(
            &self.client_transient,
            self.keys.secret(),
            &LongNonce::Welcome.with(&self.welcome_nonce),
            &plain,
        );
        WelcomeBuilder::new()
            .nonce(self.welcome_nonce)
            .welcome_box(&boxed)
            .command()
            .build()
    }

    /// Reads an INITIATE command body (G-C4, 26-R32): our cookie, a nonce
    /// above HELLO's (26-R18), a box that opens with C' and s' (26-R33),
    /// holding C and a vouch that opens with C and s' (26-R34) and names
    /// C' and S (G-C5). Keeps C and the vouch's long nonce; gives the metadata octets.
    ///
    /// # Errors
    /// Another command, a malformed layout, another cookie, a nonce that
    /// does not increase, a box that does not open or a vouch that does
    /// not match.
    pub fn initiate(&mut self, body: &[u8]) -> Result<Vec<u8>, PeerError> {
        let fields = InitiateView::new(data_of(body, "INITIATE")?).check()?;
        if fields.cookie != self.cookie {
            return Err(SecurityError::CookieRejected.into());
        }
        if fields.nonce <= self.peer_nonce {
            return Err(unexpected_nonce("INITIATE", fields.nonce, self.peer_nonce));
        }
        let plain = open(
            &self.client_transient,
            self.transient.secret(),
            &ShortNonce::Initiate.with(fields.nonce),
            fields.boxed,
        )
        .ok_or(SecurityError::BadBox("INITIATE"))?;
        self.peer_nonce = fields.nonce;
        let content = InitiateBoxView::new(&plain[..]).check()?;
        let client_permanent = PublicKey::from_bytes(content.client_permanent);
        let vouch = LongNonceBoxView::new(&content.vouch[..]);
        let (vouch_nonce, opened) = match (vouch.nonce(), vouch.boxed()) {
            (Some(nonce), Some(boxed)) => open(
                &client_permanent,
                self.transient.secret(),
                &LongNonce::Vouch.with(&nonce),
                boxed,
            )
            .map(|o| (nonce, o)),
            _ => None,
        }
        .ok_or(SecurityError::BadBox("vouch"))?;
        let named = [
            &self.client_transient.as_bytes()[..],
            self.keys.public().as_bytes(),
        ]
        .concat();
        if opened != named {
            return Err(SecurityError::VouchMismatch.into());
        }
        self.client_permanent = client_permanent;
        self.vouch_nonce = vouch_nonce;
        Ok(content.metadata.to_vec())
    }

    /// A READY command body (G-C6) taking the next nonce:
    /// Box[`metadata`](S'->C') (26-R46).
    pub fn ready(&mut self, metadata: &[u8]) -> Vec<u8> {
        let n = take(&mut self.nonce);
        let boxed = seal(
            &self.client_transient,
            self.transient.secret(),
            &ShortNonce::Ready.with(n),
            metadata,
        );
        NonceBoxBuilder::new()
            .nonce(n)
            .boxed(&boxed)
            .ready()
            .build()
    }

    /// A MESSAGE command body (G-C7) carrying `flags` and `payload`, at
    /// short nonce `n` (a replay reuses one).
    pub fn message_at(&self, n: u64, flags: u8, payload: &[u8]) -> Vec<u8> {
        seal_message(
            &self.client_transient,
            self.transient.secret(),
            ShortNonce::MessageFromServer,
            n,
            flags,
            payload,
        )
    }

    /// A MESSAGE command body at the next nonce.
    pub fn message(&mut self, flags: u8, payload: &[u8]) -> Vec<u8> {
        let n = take(&mut self.nonce);
        self.message_at(n, flags, payload)
    }

    /// Opens the client's MESSAGE command body (G-C7, 26-R55); its nonce
    /// must exceed the last one seen (26-R20).
    ///
    /// # Errors
    /// Another command, a malformed layout, a nonce that does not increase
    /// or a box that does not open.
    pub fn open_message(&mut self, body: &[u8]) -> Result<OpenedMessage, PeerError> {
        let opened = open_message(
            body,
            &self.client_transient,
            self.transient.secret(),
            ShortNonce::MessageFromClient,
            self.peer_nonce,
        )?;
        self.peer_nonce = opened.nonce;
        Ok(opened)
    }
}
