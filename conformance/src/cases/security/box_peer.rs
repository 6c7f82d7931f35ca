//! The raw peer's own CURVE (RFC 26) client and server halves, built from
//! bare `crypto_box` calls rather than spec's session machines, so that a
//! case can forge exactly one field: a box, a nonce, a vouch, a cookie.
//!
//! A box on the wire is the 16-octet Poly1305 tag, then the ciphertext.

use crypto_box::aead::AeadInPlace;
use crypto_box::aead::generic_array::GenericArray;
use crypto_box::{PublicKey, SalsaBox, SecretKey};

/// HELLO short-nonce prefix (26-R12).
pub(crate) const HELLO: &[u8; 16] = b"CurveZMQHELLO---";
/// WELCOME long-nonce prefix (26-R24).
pub(crate) const WELCOME: &[u8; 8] = b"WELCOME-";
/// INITIATE short-nonce prefix (26-R33).
pub(crate) const INITIATE: &[u8; 16] = b"CurveZMQINITIATE";
/// Vouch long-nonce prefix (26-R34).
pub(crate) const VOUCH: &[u8; 8] = b"VOUCH---";
/// READY short-nonce prefix (26-R46).
pub(crate) const READY: &[u8; 16] = b"CurveZMQREADY---";
/// MESSAGE prefix from client to server (26-R55).
pub(crate) const MESSAGE_C: &[u8; 16] = b"CurveZMQMESSAGEC";
/// MESSAGE prefix from server to client (26-R55).
pub(crate) const MESSAGE_S: &[u8; 16] = b"CurveZMQMESSAGES";

/// A key pair as raw octets.
pub(crate) struct Keys {
    pub(crate) public: [u8; 32],
    pub(crate) secret: [u8; 32],
}

impl Keys {
    /// Fresh keys (from the operating system's generator).
    pub(crate) fn generate() -> Self {
        let k = zmtp::curve_keypair();
        Self {
            public: *k.public().as_bytes(),
            secret: *k.secret().to_bytes(),
        }
    }

    /// The public key in Z85 (40 characters).
    pub(crate) fn public_z85(&self) -> String {
        zmtp_spec::security::z85::encode(&self.public).unwrap_or_default()
    }

    /// The secret key in Z85.
    pub(crate) fn secret_z85(&self) -> String {
        zmtp_spec::security::z85::encode(&self.secret).unwrap_or_default()
    }
}

/// `tag || ciphertext` of `plain`, from `ours` to `theirs`.
pub(crate) fn seal(theirs: &[u8; 32], ours: &[u8; 32], nonce: &[u8; 24], plain: &[u8]) -> Vec<u8> {
    let b = SalsaBox::new(&PublicKey::from(*theirs), &SecretKey::from(*ours));
    let mut body = plain.to_vec();
    let mut out = vec![0u8; 16];
    if let Ok(tag) = b.encrypt_in_place_detached(GenericArray::from_slice(nonce), b"", &mut body) {
        out.copy_from_slice(&tag);
    }
    out.extend_from_slice(&body);
    out
}

/// The plaintext of a `tag || ciphertext` box, if it opens.
pub(crate) fn open(
    theirs: &[u8; 32],
    ours: &[u8; 32],
    nonce: &[u8; 24],
    boxed: &[u8],
) -> Option<Vec<u8>> {
    if boxed.len() < 16 {
        return None;
    }
    let b = SalsaBox::new(&PublicKey::from(*theirs), &SecretKey::from(*ours));
    let (tag, ct) = boxed.split_at(16);
    let mut body = ct.to_vec();
    b.decrypt_in_place_detached(
        GenericArray::from_slice(nonce),
        b"",
        &mut body,
        GenericArray::from_slice(tag),
    )
    .ok()?;
    Some(body)
}

/// A 24-octet nonce: a 16-octet prefix and an 8-octet counter.
pub(crate) fn short(prefix: &[u8; 16], n: u64) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..16].copy_from_slice(prefix);
    out[16..].copy_from_slice(&n.to_be_bytes());
    out
}

/// A 24-octet nonce: an 8-octet prefix and 16 octets.
pub(crate) fn long(prefix: &[u8; 8], rest: &[u8; 16]) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..8].copy_from_slice(prefix);
    out[8..].copy_from_slice(rest);
    out
}

/// 16 octets that differ on every call (uniqueness is all a long nonce
/// needs, 26-R35).
pub(crate) fn unique16() -> [u8; 16] {
    let k = Keys::generate();
    let mut out = [0u8; 16];
    out.copy_from_slice(&k.public[..16]);
    out
}

/// The raw peer as a CURVE client of server key `server`.
pub(crate) struct Client {
    /// S.
    pub(crate) server: [u8; 32],
    /// C and c.
    pub(crate) permanent: Keys,
    /// C' and c'.
    pub(crate) transient: Keys,
    /// The next short nonce.
    pub(crate) nonce: u64,
    /// S' from WELCOME.
    pub(crate) server_transient: [u8; 32],
    /// The cookie from WELCOME.
    pub(crate) cookie: [u8; 96],
    /// The server's last short nonce seen.
    pub(crate) peer_nonce: u64,
}

impl Client {
    /// A client with fresh permanent and transient keys.
    pub(crate) fn new(server: [u8; 32]) -> Self {
        Self {
            server,
            permanent: Keys::generate(),
            transient: Keys::generate(),
            nonce: 1,
            server_transient: [0; 32],
            cookie: [0; 96],
            peer_nonce: 0,
        }
    }

    fn take(&mut self) -> u64 {
        let n = self.nonce;
        self.nonce += 1;
        n
    }

    /// The HELLO command body (G-C1): 200 octets.
    pub(crate) fn hello(&mut self) -> Vec<u8> {
        let n = self.take();
        let mut out = b"\x05HELLO\x01\x00".to_vec();
        out.extend_from_slice(&[0u8; 72]);
        out.extend_from_slice(&self.transient.public);
        out.extend_from_slice(&n.to_be_bytes());
        out.extend(seal(
            &self.server,
            &self.transient.secret,
            &short(HELLO, n),
            &[0u8; 64],
        ));
        out
    }

    /// Reads a WELCOME command body (G-C2): S' and the cookie.
    pub(crate) fn welcome(&mut self, body: &[u8]) -> Result<(), String> {
        let data = body
            .strip_prefix(b"\x07WELCOME")
            .ok_or_else(|| "not a WELCOME".to_string())?;
        if data.len() != 160 {
            return Err(format!(
                "WELCOME of {} octets, not 168 (26-R23)",
                body.len()
            ));
        }
        let mut ln = [0u8; 16];
        ln.copy_from_slice(&data[..16]);
        let plain = open(
            &self.server,
            &self.transient.secret,
            &long(WELCOME, &ln),
            &data[16..],
        )
        .ok_or_else(|| "the WELCOME box does not open with S and c'".to_string())?;
        if plain.len() != 128 {
            return Err("the WELCOME box holds the wrong length".into());
        }
        self.server_transient.copy_from_slice(&plain[..32]);
        self.cookie.copy_from_slice(&plain[32..]);
        Ok(())
    }

    /// The vouch (G-C5), boxed with permanent secret `signer`.
    pub(crate) fn vouch(&self, signer: &[u8; 32]) -> Vec<u8> {
        let ln = unique16();
        let mut plain = self.transient.public.to_vec();
        plain.extend_from_slice(&self.server);
        let mut out = ln.to_vec();
        out.extend(seal(
            &self.server_transient,
            signer,
            &long(VOUCH, &ln),
            &plain,
        ));
        out
    }

    /// The INITIATE command body (G-C4) with `vouch` and `metadata`.
    pub(crate) fn initiate_with(&mut self, vouch: &[u8], metadata: &[u8]) -> Vec<u8> {
        let n = self.take();
        let mut plain = self.permanent.public.to_vec();
        plain.extend_from_slice(vouch);
        plain.extend_from_slice(metadata);
        let mut out = b"\x08INITIATE".to_vec();
        out.extend_from_slice(&self.cookie);
        out.extend_from_slice(&n.to_be_bytes());
        out.extend(seal(
            &self.server_transient,
            &self.transient.secret,
            &short(INITIATE, n),
            &plain,
        ));
        out
    }

    /// A valid INITIATE.
    pub(crate) fn initiate(&mut self, metadata: &[u8]) -> Vec<u8> {
        let v = self.vouch(&self.permanent.secret);
        self.initiate_with(&v, metadata)
    }

    /// Reads a READY command body (G-C6): the metadata.
    pub(crate) fn ready(&mut self, body: &[u8]) -> Result<Vec<u8>, String> {
        let data = body
            .strip_prefix(b"\x05READY")
            .ok_or_else(|| "not a READY".to_string())?;
        if data.len() < 24 {
            return Err("READY shorter than 30 octets (26-R45)".into());
        }
        let n = u64::from_be_bytes(data[..8].try_into().unwrap_or([0; 8]));
        let plain = open(
            &self.server_transient,
            &self.transient.secret,
            &short(READY, n),
            &data[8..],
        )
        .ok_or_else(|| "the READY box does not open with S' and c'".to_string())?;
        self.peer_nonce = n;
        Ok(plain)
    }

    /// A MESSAGE command body (G-C7) carrying `flags` and `payload`.
    pub(crate) fn message(&mut self, flags: u8, payload: &[u8]) -> Vec<u8> {
        let n = self.take();
        let mut plain = vec![flags];
        plain.extend_from_slice(payload);
        let mut out = b"\x07MESSAGE".to_vec();
        out.extend_from_slice(&n.to_be_bytes());
        out.extend(seal(
            &self.server_transient,
            &self.transient.secret,
            &short(MESSAGE_C, n),
            &plain,
        ));
        out
    }
}

impl Client {
    /// Opens a server MESSAGE body (G-C7): its nonce, flags and payload.
    /// The nonce must be above the last one seen (26-R52).
    pub(crate) fn open_message(&mut self, body: &[u8]) -> Result<(u64, u8, Vec<u8>), String> {
        let (n, plain) = open_message(
            body,
            &self.server_transient,
            &self.transient.secret,
            MESSAGE_S,
            self.peer_nonce,
        )?;
        self.peer_nonce = n;
        let (&flags, payload) = plain.split_first().ok_or("empty MESSAGE box")?;
        Ok((n, flags, payload.to_vec()))
    }
}

/// Opens a MESSAGE body from `theirs` to `ours`; its nonce must exceed
/// `last`.
fn open_message(
    body: &[u8],
    theirs: &[u8; 32],
    ours: &[u8; 32],
    prefix: &[u8; 16],
    last: u64,
) -> Result<(u64, Vec<u8>), String> {
    let data = body
        .strip_prefix(b"\x07MESSAGE")
        .ok_or_else(|| "not a MESSAGE".to_string())?;
    if data.len() < 25 {
        return Err(format!(
            "MESSAGE of {} octets, under 33 (26-R54)",
            body.len()
        ));
    }
    let n = u64::from_be_bytes(data[..8].try_into().unwrap_or([0; 8]));
    if n <= last {
        return Err(format!(
            "MESSAGE nonce {n} does not exceed the last one, {last} (26-R18, 26-R50)"
        ));
    }
    let plain = open(theirs, ours, &short(prefix, n), &data[8..]).ok_or_else(|| {
        "the MESSAGE box does not open with the prefix and keys of 26-R55".to_string()
    })?;
    Ok((n, plain))
}

/// The raw peer as a CURVE server with permanent keys `keys`.
pub(crate) struct Server {
    /// S and s.
    pub(crate) keys: Keys,
    /// S' and s'.
    pub(crate) transient: Keys,
    /// C' from HELLO.
    pub(crate) client_transient: [u8; 32],
    /// C from INITIATE.
    pub(crate) client_permanent: [u8; 32],
    /// The cookie sent in WELCOME (opaque to the client).
    pub(crate) cookie: [u8; 96],
    /// Our next short nonce.
    pub(crate) nonce: u64,
    /// The client's last short nonce.
    pub(crate) peer_nonce: u64,
}

impl Server {
    /// A server with fresh transient keys.
    pub(crate) fn new(keys: Keys) -> Self {
        let mut cookie = [0u8; 96];
        for chunk in cookie.chunks_mut(16) {
            chunk.copy_from_slice(&unique16());
        }
        Self {
            keys,
            transient: Keys::generate(),
            client_transient: [0; 32],
            client_permanent: [0; 32],
            cookie,
            nonce: 1,
            peer_nonce: 0,
        }
    }

    /// Checks a client's HELLO body (G-C1, 26-R06..R08, R12, R13).
    pub(crate) fn hello(&mut self, body: &[u8]) -> Result<(), String> {
        if body.len() != 200 {
            return Err(format!("HELLO of {} octets, not 200 (26-R06)", body.len()));
        }
        if !body.starts_with(b"\x05HELLO\x01\x00") {
            return Err("HELLO does not start with 05 HELLO 01 00 (26-R07)".into());
        }
        if body[8..80].iter().any(|&b| b != 0) {
            return Err("non-zero HELLO padding (26-R08)".into());
        }
        self.client_transient.copy_from_slice(&body[80..112]);
        let n = u64::from_be_bytes(body[112..120].try_into().unwrap_or([0; 8]));
        match open(
            &self.client_transient,
            &self.keys.secret,
            &short(HELLO, n),
            &body[120..],
        ) {
            Some(p) if p == [0u8; 64] => {
                self.peer_nonce = n;
                Ok(())
            }
            Some(_) => Err("the HELLO signature box does not hold 64 zeros (26-R13)".into()),
            None => {
                Err("the HELLO signature box does not open with C' and s (26-R12, 26-R13)".into())
            }
        }
    }

    /// A WELCOME body (G-C2): Box[S' + cookie](S -> C').
    pub(crate) fn welcome(&self) -> Vec<u8> {
        let ln = unique16();
        let mut plain = self.transient.public.to_vec();
        plain.extend_from_slice(&self.cookie);
        let mut out = b"\x07WELCOME".to_vec();
        out.extend_from_slice(&ln);
        out.extend(seal(
            &self.client_transient,
            &self.keys.secret,
            &long(WELCOME, &ln),
            &plain,
        ));
        out
    }

    /// Checks a client's INITIATE body (G-C4, G-C5, 26-R32..R34): gives
    /// the metadata octets.
    pub(crate) fn initiate(&mut self, body: &[u8]) -> Result<Vec<u8>, String> {
        let data = body
            .strip_prefix(b"\x08INITIATE")
            .ok_or_else(|| "not an INITIATE".to_string())?;
        if body.len() < 257 {
            return Err(format!(
                "INITIATE of {} octets, under 257 (26-R32)",
                body.len()
            ));
        }
        if data[..96] != self.cookie[..] {
            return Err("INITIATE does not return WELCOME's cookie unchanged (G-C4)".into());
        }
        let n = u64::from_be_bytes(data[96..104].try_into().unwrap_or([0; 8]));
        if n <= self.peer_nonce {
            return Err(format!(
                "INITIATE nonce {n} does not exceed HELLO's {} (26-R18)",
                self.peer_nonce
            ));
        }
        let plain = open(
            &self.client_transient,
            &self.transient.secret,
            &short(INITIATE, n),
            &data[104..],
        )
        .ok_or_else(|| {
            "the INITIATE box does not open with C', s' and CurveZMQINITIATE (26-R33)".to_string()
        })?;
        self.peer_nonce = n;
        if plain.len() < 128 {
            return Err("the INITIATE box is too short for C and the vouch (G-C4)".into());
        }
        self.client_permanent.copy_from_slice(&plain[..32]);
        let mut vn = [0u8; 16];
        vn.copy_from_slice(&plain[32..48]);
        let vouch = open(
            &self.client_permanent,
            &self.transient.secret,
            &long(VOUCH, &vn),
            &plain[48..128],
        )
        .ok_or_else(|| {
            "the vouch does not open with C, s' and VOUCH--- (26-R34, G-C5)".to_string()
        })?;
        if vouch[..32] != self.client_transient[..] || vouch[32..] != self.keys.public[..] {
            return Err("the vouch does not hold C' and S (G-C5)".into());
        }
        Ok(plain[128..].to_vec())
    }

    fn take(&mut self) -> u64 {
        let n = self.nonce;
        self.nonce += 1;
        n
    }

    /// A READY body (G-C6) carrying `metadata`.
    pub(crate) fn ready(&mut self, metadata: &[u8]) -> Vec<u8> {
        let n = self.take();
        let mut out = b"\x05READY".to_vec();
        out.extend_from_slice(&n.to_be_bytes());
        out.extend(seal(
            &self.client_transient,
            &self.transient.secret,
            &short(READY, n),
            metadata,
        ));
        out
    }

    /// A MESSAGE body with the short nonce `n` (a replay reuses one).
    pub(crate) fn message_at(&self, n: u64, flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut plain = vec![flags];
        plain.extend_from_slice(payload);
        let mut out = b"\x07MESSAGE".to_vec();
        out.extend_from_slice(&n.to_be_bytes());
        out.extend(seal(
            &self.client_transient,
            &self.transient.secret,
            &short(MESSAGE_S, n),
            &plain,
        ));
        out
    }

    /// A MESSAGE body with the next nonce.
    pub(crate) fn message(&mut self, flags: u8, payload: &[u8]) -> Vec<u8> {
        let n = self.take();
        self.message_at(n, flags, payload)
    }

    /// Opens a client MESSAGE body: nonce, flags, payload.
    pub(crate) fn open_message(&mut self, body: &[u8]) -> Result<(u64, u8, Vec<u8>), String> {
        let (n, plain) = open_message(
            body,
            &self.client_transient,
            &self.transient.secret,
            MESSAGE_C,
            self.peer_nonce,
        )?;
        self.peer_nonce = n;
        let (&flags, payload) = plain.split_first().ok_or("empty MESSAGE box")?;
        Ok((n, flags, payload.to_vec()))
    }
}

#[cfg(test)]
mod tests;
