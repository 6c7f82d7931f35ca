//! The raw CURVE client: HELLO, INITIATE and MESSAGE built on request,
//! WELCOME, READY and MESSAGE read and opened (G-C1..G-C7).

use rand_core::CryptoRngCore;

use super::{
    LongNonce, OpenedMessage, ShortNonce, data_of, open, open_message, seal, seal_message, take,
};
use crate::connection::error::PeerError;
use crate::security::SecurityError;
use crate::security::curve::commands::{SIGNATURE_BOX_LEN, VOUCH_LEN, Welcome, WelcomeContent};
use crate::security::curve::cookie::COOKIE_LEN;
use crate::security::curve::crypto::{
    KEY_LEN, KeyPair, PublicKey, SecretKey, TAG_LEN, random_long_nonce,
};
use crate::wire::view::curve::{
    HelloBuilder, InitiateBoxBuilder, InitiateBuilder, LongNonceBoxBuilder, NonceBoxView,
};

/// The raw peer as a CURVE client of the server whose permanent key is
/// `server`.
#[derive(Clone, Debug)]
pub struct Client {
    /// S, as the client was told it.
    pub server: PublicKey,
    /// C and c.
    pub permanent: KeyPair,
    /// C' and c'.
    pub transient: KeyPair,
    /// The long nonce of [`Client::vouch`].
    pub vouch_nonce: [u8; 16],
    /// The next short nonce (1 at first).
    pub nonce: u64,
    /// WELCOME's long nonce.
    pub welcome_nonce: [u8; 16],
    /// S', from WELCOME.
    pub server_transient: PublicKey,
    /// The cookie, from WELCOME.
    pub cookie: [u8; COOKIE_LEN],
    /// The server's last short nonce (READY's, then each MESSAGE's).
    pub peer_nonce: u64,
}

impl Client {
    /// A client of `server` with fresh permanent and transient keys and
    /// vouch nonce from `rng`.
    pub fn new(server: PublicKey, rng: &mut (impl CryptoRngCore + ?Sized)) -> Self {
        Self {
            server,
            permanent: KeyPair::generate(rng),
            transient: KeyPair::generate(rng),
            vouch_nonce: random_long_nonce(rng),
            nonce: 1,
            welcome_nonce: [0; 16],
            server_transient: PublicKey::from_bytes([0; KEY_LEN]),
            cookie: [0; COOKIE_LEN],
            peer_nonce: 0,
        }
    }

    /// A valid HELLO's data (G-C1), taking the next nonce: C', the nonce
    /// and Box[64 zeros](C'->S) (26-R12, 26-R13), for a caller to change
    /// a field before it builds the command.
    pub fn hello_builder(&mut self) -> HelloBuilder {
        let n = take(&mut self.nonce);
        let signature = seal(
            &self.server,
            self.transient.secret(),
            &ShortNonce::Hello.with(n),
            &[0; SIGNATURE_BOX_LEN - TAG_LEN],
        );
        HelloBuilder::new()
            .client_transient(*self.transient.public().as_bytes())
            .nonce(n)
            .signature_box(&signature)
    }

    /// A valid HELLO command body (200 octets: 26-R06).
    pub fn hello(&mut self) -> Vec<u8> {
        self.hello_builder().command().build()
    }

    /// Reads a WELCOME command body (G-C2, 26-R23): its box must open with
    /// S and c' (26-R29) and hold S' and the cookie, which are kept.
    ///
    /// # Errors
    /// Another command, a malformed layout or a box that does not open.
    pub fn welcome(&mut self, body: &[u8]) -> Result<(), PeerError> {
        let welcome = Welcome::parse(data_of(body, "WELCOME")?)?;
        let plain = open(
            &self.server,
            self.transient.secret(),
            &LongNonce::Welcome.with(&welcome.nonce),
            &welcome.boxed,
        )
        .ok_or(SecurityError::BadBox("WELCOME"))?;
        let content = WelcomeContent::parse(&plain)?;
        self.welcome_nonce = welcome.nonce;
        self.server_transient = content.server_transient;
        self.cookie = content.cookie;
        Ok(())
    }

    /// The vouch (G-C5): Box[C' + S](C->S') under [`Client::vouch_nonce`],
    /// boxed with `signer` (c in a valid vouch, another key in a forged
    /// one).
    pub fn vouch(&self, signer: &SecretKey) -> [u8; VOUCH_LEN] {
        let plain = [
            &self.transient.public().as_bytes()[..],
            self.server.as_bytes(),
        ]
        .concat();
        let boxed = seal(
            &self.server_transient,
            signer,
            &LongNonce::Vouch.with(&self.vouch_nonce),
            &plain,
        );
        let vouch = LongNonceBoxBuilder::new(self.vouch_nonce, &boxed).build();
        // A long nonce and a box of 64 octets are always VOUCH_LEN long.
        vouch.try_into().unwrap_or([0; VOUCH_LEN])
    }

    /// An INITIATE command body (G-C4) taking the next nonce: the cookie,
    /// then Box[C + `vouch` + `metadata`](C'->S') (26-R33).
    pub fn initiate_with(&mut self, vouch: &[u8; VOUCH_LEN], metadata: &[u8]) -> Vec<u8> {
        let n = take(&mut self.nonce);
        let plain =
            InitiateBoxBuilder::new(*self.permanent.public().as_bytes(), *vouch, metadata).build();
        let boxed = seal(
            &self.server_transient,
            self.transient.secret(),
            &ShortNonce::Initiate.with(n),
            &plain,
        );
        InitiateBuilder::new()
            .cookie(self.cookie)
            .nonce(n)
            .initiate_box(&boxed)
            .command()
            .build()
    }

    /// A valid INITIATE carrying `metadata` (the octets of properties).
    pub fn initiate(&mut self, metadata: &[u8]) -> Vec<u8> {
        let vouch = self.vouch(self.permanent.secret());
        self.initiate_with(&vouch, metadata)
    }

    /// Reads a READY command body (G-C6, 26-R45): its box must open with
    /// S' and c' (26-R47); gives the metadata octets.
    ///
    /// # Errors
    /// Another command, a malformed layout or a box that does not open.
    pub fn ready(&mut self, body: &[u8]) -> Result<Vec<u8>, PeerError> {
        let fields = NonceBoxView::new(data_of(body, "READY")?).check_ready()?;
        let plain = open(
            &self.server_transient,
            self.transient.secret(),
            &ShortNonce::Ready.with(fields.nonce),
            fields.boxed,
        )
        .ok_or(SecurityError::BadBox("READY"))?;
        self.peer_nonce = fields.nonce;
        Ok(plain)
    }

    /// A MESSAGE command body (G-C7) carrying `flags` and `payload`, at
    /// short nonce `n` (a replay reuses one).
    pub fn message_at(&self, n: u64, flags: u8, payload: &[u8]) -> Vec<u8> {
        seal_message(
            &self.server_transient,
            self.transient.secret(),
            ShortNonce::MessageFromClient,
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

    /// Opens the server's MESSAGE command body (G-C7, 26-R55); its nonce
    /// must exceed the last one seen (26-R52).
    ///
    /// # Errors
    /// Another command, a malformed layout, a nonce that does not increase
    /// or a box that does not open.
    pub fn open_message(&mut self, body: &[u8]) -> Result<OpenedMessage, PeerError> {
        let opened = open_message(
            body,
            &self.server_transient,
            self.transient.secret(),
            ShortNonce::MessageFromServer,
            self.peer_nonce,
        )?;
        self.peer_nonce = opened.nonce;
        Ok(opened)
    }
}
