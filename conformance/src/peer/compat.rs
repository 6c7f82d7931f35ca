//! What `cases/security/{curve,curve_client}.rs` still take from the raw
//! peer's earlier builders, now written by zmtp-spec's builders. Those
//! files are rewritten on their own; this module goes once they no longer
//! use it. New code uses [`GreetingBuilder`], [`FrameBuilder`] and
//! [`super::ready`].

use zmtp_spec::wire::Greeting;
use zmtp_spec::wire::view::{FrameBuilder, GreetingBuilder};

/// A greeting whose as-server octet (G03) a case sets as a field.
#[derive(Clone, Copy, Debug)]
pub struct GreetingSpec {
    /// Every other field.
    pub greeting: GreetingBuilder,
    /// The as-server octet, any value.
    pub as_server: u8,
}

impl GreetingSpec {
    /// A valid NULL greeting for ZMTP 3.`minor`.
    pub fn null(minor: u8) -> Self {
        let greeting = GreetingBuilder::new().minor(minor);
        Self {
            greeting,
            as_server: 0,
        }
    }

    /// The 64 octets.
    pub fn to_bytes(&self) -> [u8; Greeting::LEN] {
        GreetingBuilder::from(self).build()
    }
}

impl From<&GreetingSpec> for GreetingBuilder {
    fn from(spec: &GreetingSpec) -> Self {
        spec.greeting.as_server(spec.as_server)
    }
}

/// A command frame around `body`.
pub fn command_frame(body: &[u8]) -> Vec<u8> {
    FrameBuilder::command(body).build()
}

/// A READY body with the properties as given.
pub fn ready_body(props: &[(&[u8], &[u8])]) -> Vec<u8> {
    super::ready(props).build()
}
