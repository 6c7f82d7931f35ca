//! The ZWS message rule.

use crate::wire::IResult;
#[cfg(doc)]
use crate::wire::WireError;
use crate::wire::view::to_rule;
use crate::wire::view::zws::ZwsView;

use super::ZwsFrame;

/// `zws-message = (00 | 01 | 02) *OCTET`, one whole WebSocket binary
/// message (45-R06): the flags octet (last, more, command; any other
/// value is [`WireError::BadZwsFlags`], no octet at all
/// [`WireError::EmptyZwsMessage`]), then the frame body to the end of the
/// message. A command body is then the command rule's
/// ([`crate::wire::command`], G08).
///
/// This is [`ZwsView::check`]; it takes the whole input.
pub fn zws_message(input: &[u8]) -> IResult<'_, ZwsFrame<'_>> {
    to_rule(input, ZwsView::new(input).check())
}
