//! The wire: typed values, their grammar (nom) and their encoder.

pub mod command;
pub mod error;
pub mod frame;
pub mod greeting;
pub mod legacy;
pub mod metadata;

pub use command::{Command, MechanismCommand};
pub use error::WireError;
pub use frame::{Flags, Frame, FrameKind};
pub use greeting::{Greeting, Mechanism, Version};
pub use metadata::{Metadata, Property};
