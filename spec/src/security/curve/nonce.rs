//! CURVE nonces: the prefixes that make each box's 24-octet nonce (26-R12,
//! R24, R26, R33, R34, R46, R55), our short-nonce counter (26-R18, R19,
//! R50, R51) and the check of the peer's (26-R20, R21, R52, R53).

use super::super::error::SecurityError;

/// HELLO's short-nonce prefix (26-R12).
pub const HELLO: &[u8; 16] = b"CurveZMQHELLO---";
/// WELCOME's long-nonce prefix (26-R24).
pub const WELCOME: &[u8; 8] = b"WELCOME-";
/// The cookie's long-nonce prefix (26-R26).
pub const COOKIE: &[u8; 8] = b"COOKIE--";
/// INITIATE's short-nonce prefix (26-R33).
pub const INITIATE: &[u8; 16] = b"CurveZMQINITIATE";
/// The vouch's long-nonce prefix (26-R34).
pub const VOUCH: &[u8; 8] = b"VOUCH---";
/// READY's short-nonce prefix (26-R46).
pub const READY: &[u8; 16] = b"CurveZMQREADY---";
/// MESSAGE from the client (26-R55; the prose's name, which libzmq uses,
/// not the grammar comment's "CurveZMQMESSAGE-": zmtp-wire.md 6.1 #13).
pub const MESSAGE_FROM_CLIENT: &[u8; 16] = b"CurveZMQMESSAGEC";
/// MESSAGE from the server (26-R55).
pub const MESSAGE_FROM_SERVER: &[u8; 16] = b"CurveZMQMESSAGES";

/// Our short nonces: 1, 2, 3, ... one per command we send (26-R18,
/// 26-R50), never past 2^64-1 (26-R19, 26-R51). libzmq starts at 1 too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    next: Option<u64>,
}

impl Default for Counter {
    fn default() -> Self {
        Self { next: Some(1) }
    }
}

/// Every short nonce has been used: the connection must end (26-R19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the 2^64-1 short nonces of this connection are used up (26-R19, 26-R51)")]
pub struct Exhausted;

impl Counter {
    /// A counter whose next nonce is `next` (tests start near the end).
    pub const fn starting_at(next: u64) -> Self {
        Self { next: Some(next) }
    }

    /// The next nonce.
    ///
    /// # Errors
    /// [`Exhausted`] after 2^64-1.
    pub fn take(&mut self) -> Result<u64, Exhausted> {
        let nonce = self.next.ok_or(Exhausted)?;
        self.next = nonce.checked_add(1);
        Ok(nonce)
    }
}

/// The peer's short nonces: the first is taken as it comes (HELLO's on the
/// server, READY's on the client), then each must be the previous plus 1
/// (26-R18, 26-R20, 26-R50, 26-R52). A replayed or reordered command is
/// refused (26-R21, 26-R53), and so is a gap: a MESSAGE an attacker
/// dropped would otherwise go unnoticed, and its neighbours could splice
/// two messages into one. libzmq checks only "greater than the last"
/// (zmtp-wire.md 6.2 #11) but counts in steps of 1, as omq.rs does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeerNonces {
    last: Option<u64>,
}

impl PeerNonces {
    /// Accepts `nonce` if it is the first or the previous plus 1.
    ///
    /// # Errors
    /// [`SecurityError::UnexpectedNonce`] otherwise; the state is kept.
    pub fn accept(&mut self, command: &'static str, nonce: u64) -> Result<(), SecurityError> {
        match self.last {
            Some(last)
                if last.checked_add(1) != Some(nonce) && !crate::mutant!(CurveNonceNotChecked) =>
            {
                Err(SecurityError::UnexpectedNonce {
                    command,
                    nonce,
                    last,
                })
            }
            _ => {
                self.last = Some(nonce);
                Ok(())
            }
        }
    }
}
