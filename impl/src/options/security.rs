//! The security options (libzmq's PLAIN_*, CURVE_*, ZAP_*, MECHANISM) and
//! the spec mechanism they build.
//!
//! ```text
//!   PLAIN_SERVER / PLAIN_USERNAME / PLAIN_PASSWORD ─┐
//!   CURVE_SERVER / CURVE_*KEY                       ├─> Security::rebuild
//!   ZAP_DOMAIN / ZAP_ENFORCE_DOMAIN                 ┘     │
//!        Arc<dyn Mechanism> shared by every connection of the socket,
//!        and a CURVE server's cookie jar (per socket: 26-R17, 26-R27),
//!        which spec's connections borrow and the socket rotates
//! ```
//!
//! As in libzmq, the option set last decides the mechanism: PLAIN_USERNAME,
//! PLAIN_PASSWORD and PLAIN_SERVER select PLAIN; CURVE_SERVER and
//! CURVE_SERVERKEY select CURVE; an empty username, `PLAIN_SERVER = false`
//! or `CURVE_SERVER = false` go back to NULL. A server's ZAP handler is
//! always the driver's business ([`Handler::External`](zmtp_spec::security::Handler::External)): the driver asks the
//! socket's or context's authenticator, the `inproc://zeromq.zap.01`
//! handler, or applies libzmq's no-handler rule.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use rand_core::OsRng;
use zeroize::{Zeroize, Zeroizing};
use zmtp_spec::connection::Mechanism;
use zmtp_spec::connection::mechanism::Null;
use zmtp_spec::security::curve::CookieJar;
use zmtp_spec::security::zap::Zap;
use zmtp_spec::security::{Curve, KeyPair, Plain, PublicKey, SecretKey, ZapNull, z85};

use crate::error::{Error, InvalidOption, Result};

#[cfg(test)]
mod tests;

/// The mechanism a socket uses (libzmq's ZMQ_MECHANISM).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MechanismKind {
    /// NULL (RFC 23/37), the default.
    #[default]
    Null,
    /// PLAIN (RFC 24).
    Plain,
    /// CURVE (RFC 25/26).
    Curve,
}

/// The security options of a socket, and the mechanism they build.
#[derive(Clone, Debug, Default)]
pub(crate) struct Security {
    pub(crate) kind: MechanismKind,
    pub(crate) as_server: bool,
    pub(crate) plain_username: Bytes,
    pub(crate) plain_password: Password,
    pub(crate) curve_publickey: Option<PublicKey>,
    pub(crate) curve_secretkey: Option<SecretKey>,
    pub(crate) curve_serverkey: Option<PublicKey>,
    pub(crate) zap_domain: Bytes,
    pub(crate) zap_enforce_domain: bool,
    /// What the options build, or why they cannot (CURVE without keys).
    built: Option<core::result::Result<Built, (&'static str, InvalidOption)>>,
}

/// The PLAIN_PASSWORD option's value: one buffer shared by the option
/// set's copies, wiped when the last is dropped; `Debug` shows only its
/// length.
#[derive(Clone, Default)]
pub(crate) struct Password(Arc<Zeroizing<Vec<u8>>>);

impl Password {
    /// Keeps a copy of `value`, and wipes `value` itself when nobody else
    /// holds it (the option setter owns it then).
    fn take(value: Bytes) -> Self {
        let password = Self(Arc::new(Zeroizing::new(value.to_vec())));
        wipe(value);
        password
    }

    /// The password's octets.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Wipes a secret option value once it is stored, when the setter holds
/// its only reference (the caller gave it away); a shared or static value
/// is left alone.
fn wipe(value: Bytes) {
    if let Ok(mut unique) = value.try_into_mut() {
        unique[..].zeroize();
    }
}

impl core::fmt::Debug for Password {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Password({} octets)", self.0.len())
    }
}

/// A CURVE server socket's cookie keys: a plain spec value, shared here by
/// the socket's connection tasks (which lend it to their connections) and
/// its rotation task.
pub(crate) type SharedCookieJar = Arc<Mutex<CookieJar>>;

/// A mechanism built from the options, shared by the socket's connections.
#[derive(Clone, Debug)]
pub(crate) struct Built {
    pub(crate) mechanism: Arc<dyn Mechanism>,
    /// A CURVE server's cookie jar, with a key from the operating system's
    /// generator; the socket rotates it.
    pub(crate) cookies: Option<SharedCookieJar>,
}

impl Security {
    /// The mechanism for a new connection, built once per change of the
    /// options.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the options select CURVE without the
    /// keys it needs.
    pub(crate) fn mechanism(&mut self) -> Result<Built> {
        let built = match &self.built {
            Some(built) => built.clone(),
            None => {
                let built = build(self);
                self.built = Some(built.clone());
                built
            }
        };
        built.map_err(|(option, reason)| Error::option(option, reason))
    }

    /// Forgets the built mechanism after an option changed.
    pub(crate) fn changed(&mut self) {
        self.built = None;
    }
}

fn zap(security: &Security) -> Zap {
    let mut zap = Zap::external();
    zap.domain = security.zap_domain.clone();
    zap.enforce_domain = security.zap_enforce_domain;
    zap
}

fn build(s: &Security) -> core::result::Result<Built, (&'static str, InvalidOption)> {
    let mechanism: Arc<dyn Mechanism> = match s.kind {
        // libzmq asks its ZAP handler about NULL peers when a ZAP domain is
        // set (zmtp-wire.md 6.2 #12).
        MechanismKind::Null if !s.zap_domain.is_empty() || s.zap_enforce_domain => {
            Arc::new(ZapNull::new(zap(s)))
        }
        MechanismKind::Null => Arc::new(Null),
        MechanismKind::Plain if s.as_server => Arc::new(Plain::server(zap(s))),
        MechanismKind::Plain => Arc::new(
            Plain::client(s.plain_username.clone(), s.plain_password.as_bytes())
                .map_err(|_| ("ZMQ_PLAIN_PASSWORD", InvalidOption::TooLong { max: 255 }))?,
        ),
        MechanismKind::Curve => {
            let secret = s
                .curve_secretkey
                .clone()
                .ok_or(("ZMQ_CURVE_SECRETKEY", InvalidOption::Required))?;
            let keys = KeyPair::from_secret(secret);
            let curve = if s.as_server {
                Curve::server(keys, zap(s))
            } else {
                let server = s
                    .curve_serverkey
                    .ok_or(("ZMQ_CURVE_SERVERKEY", InvalidOption::Required))?;
                Curve::client(keys, server)
            };
            let cookies = curve
                .is_server()
                .then(|| Arc::new(Mutex::new(CookieJar::new(&mut OsRng))));
            return Ok(Built {
                mechanism: Arc::new(curve),
                cookies,
            });
        }
    };
    Ok(Built {
        mechanism,
        cookies: None,
    })
}

/// A CURVE key given as 32 octets or 40 characters of Z85 (RFC 32), as
/// libzmq takes it.
pub(crate) fn key_octets(option: &'static str, value: &[u8]) -> Result<[u8; 32]> {
    let invalid = || Error::option(option, InvalidOption::InvalidCurveKey);
    match value.len() {
        32 => value.try_into().map_err(|_| invalid()),
        40 => z85::decode_key(value).map_err(|_| invalid()),
        // libzmq also takes the Z85 text with its terminating NUL.
        41 if value[40] == 0 => z85::decode_key(&value[..40]).map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

/// How one security option is kept: its marker, value type and docs
/// are the table's (`zmtp_model::option_table!`, section `security`).
macro_rules! security_option {
    ($name:ident, set($o:ident, $v:ident) $set:block get($g:ident) $get:block) => {
        impl crate::options::sealed::Access for crate::options::opt::$name {
            fn set(
                options: &mut crate::options::Options,
                $v: <Self as crate::options::sealed::Typed>::Value,
            ) -> crate::Result<crate::options::Effect> {
                let $o = &mut options.security;
                $set
                $o.changed();
                Ok(crate::options::Effect::Stored)
            }
            fn get(
                options: &crate::options::Options,
                _: &zmtp_model::Options,
            ) -> crate::Result<<Self as crate::options::sealed::Typed>::Value> {
                let $g = &options.security;
                $get
            }
        }
    };
}

/// How the security options of [`crate::opt`] are set and read.
mod access {
    use bytes::Bytes;
    use zmtp_spec::security::{PublicKey, SecretKey};

    use super::{MechanismKind, key_octets};
    use crate::error::{Error, InvalidOption};
    use crate::options::sealed::Typed as _;

    security_option!(
        PlainServer,
        set(s, v) {
            s.as_server = v;
            s.kind = if v { MechanismKind::Plain } else { MechanismKind::Null };
        }
        get(s) { Ok(s.kind == MechanismKind::Plain && s.as_server) }
    );
    security_option!(
        PlainUsername,
        set(s, v) {
            if v.len() > 255 {
                return Err(Error::option("ZMQ_PLAIN_USERNAME", InvalidOption::TooLong { max: 255 }));
            }
            s.kind = if v.is_empty() { MechanismKind::Null } else { MechanismKind::Plain };
            s.as_server = false;
            s.plain_username = v;
        }
        get(s) { Ok(s.plain_username.clone()) }
    );
    security_option!(
        PlainPassword,
        set(s, v) {
            if v.len() > 255 {
                return Err(Error::option("ZMQ_PLAIN_PASSWORD", InvalidOption::TooLong { max: 255 }));
            }
            s.kind = if v.is_empty() { MechanismKind::Null } else { MechanismKind::Plain };
            s.as_server = false;
            s.plain_password = super::Password::take(v);
        }
        get(s) { Ok(Bytes::copy_from_slice(s.plain_password.as_bytes())) }
    );
    security_option!(
        CurveServer,
        set(s, v) {
            s.as_server = v;
            s.kind = if v { MechanismKind::Curve } else { MechanismKind::Null };
        }
        get(s) { Ok(s.kind == MechanismKind::Curve && s.as_server) }
    );
    security_option!(
        CurvePublicKey,
        set(s, v) {
            s.curve_publickey = Some(PublicKey::from_bytes(key_octets("ZMQ_CURVE_PUBLICKEY", &v)?));
            s.kind = MechanismKind::Curve;
        }
        get(s) {
            Ok(s.curve_publickey.map(|k| Bytes::copy_from_slice(k.as_bytes())).unwrap_or_default())
        }
    );
    security_option!(
        CurveSecretKey,
        set(s, v) {
            let octets = zeroize::Zeroizing::new(key_octets("ZMQ_CURVE_SECRETKEY", &v)?);
            super::wipe(v);
            s.curve_secretkey = Some(SecretKey::from_bytes(*octets));
            s.kind = MechanismKind::Curve;
        }
        get(s) {
            Ok(s.curve_secretkey.as_ref().map(|k| Bytes::copy_from_slice(&k.to_bytes()[..])).unwrap_or_default())
        }
    );
    security_option!(
        CurveServerKey,
        set(s, v) {
            s.curve_serverkey = Some(PublicKey::from_bytes(key_octets("ZMQ_CURVE_SERVERKEY", &v)?));
            s.kind = MechanismKind::Curve;
            s.as_server = false;
        }
        get(s) {
            Ok(s.curve_serverkey.map(|k| Bytes::copy_from_slice(k.as_bytes())).unwrap_or_default())
        }
    );
    security_option!(
        ZapDomain,
        set(s, v) {
            if v.len() > 255 {
                return Err(Error::option("ZMQ_ZAP_DOMAIN", InvalidOption::TooLong { max: 255 }));
            }
            s.zap_domain = v;
        }
        get(s) { Ok(s.zap_domain.clone()) }
    );
    security_option!(
        ZapEnforceDomain,
        set(s, v) { s.zap_enforce_domain = v; }
        get(s) { Ok(s.zap_enforce_domain) }
    );

    impl crate::options::sealed::Access for crate::options::opt::Mechanism {
        fn set(
            _: &mut crate::options::Options,
            _: MechanismKind,
        ) -> crate::Result<crate::options::Effect> {
            Err(crate::options::read_only(Self::NAME))
        }
        fn get(
            options: &crate::options::Options,
            _: &zmtp_model::Options,
        ) -> crate::Result<MechanismKind> {
            Ok(options.security.kind)
        }
    }
}
