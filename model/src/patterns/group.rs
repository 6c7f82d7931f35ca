//! Groups of RADIO and DISH (RFC 48, 37's JOIN/LEAVE grammar G14).

/// Whether a group is valid: 0 to 255 octets, none of them zero.
pub(crate) fn valid_group(group: &[u8]) -> bool {
    group.len() <= 255 && !group.contains(&0)
}
