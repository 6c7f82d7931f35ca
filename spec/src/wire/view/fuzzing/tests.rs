//! The fuzz body as a property test, on octets that are arbitrary or
//! near a valid encoding of each kind.

use proptest::prelude::*;

use super::super::tests::{command, command_body, metadata, octets_near};
use super::views;
use crate::wire::greeting::{Greeting, Mechanism};
use crate::wire::view::{CommandBuilder, FrameBuilder, MetadataBuilder};

fn valid() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        any::<bool>().prop_map(|as_server| Greeting::new(Mechanism::CURVE, as_server)
            .to_bytes()
            .to_vec()),
        command().prop_map(|c| command_body(&c)),
        command().prop_map(|c| FrameBuilder::command(&command_body(&c)).build()),
        metadata().prop_map(|m| MetadataBuilder::from(&m).build()),
        metadata().prop_map(|m| CommandBuilder::ready(MetadataBuilder::from(&m))
            .frame()
            .build()),
    ]
}

proptest! {
    #[test]
    fn views_agree_with_the_grammar(octets in octets_near(300, valid())) {
        views(&octets);
    }
}

/// Every input of up to two octets, and a spread of three-octet ones.
#[test]
fn views_agree_on_short_inputs() {
    for (len, step) in [(0, 1), (1, 1), (2, 1), (3, 4099)] {
        for octets in (0..1u32 << (8 * len)).step_by(step) {
            views(&octets.to_be_bytes()[4 - len..]);
        }
    }
}
