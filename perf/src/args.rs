//! Command lines in libzmq's form: positional arguments only.

use crate::error::PerfError;

/// Parses `N` positional arguments after the program name, or returns the
/// usage line.
///
/// # Errors
/// [`PerfError::Usage`] when the count is wrong.
pub fn positional<const N: usize>(
    args: impl IntoIterator<Item = String>,
    usage: &str,
) -> Result<[String; N], PerfError> {
    let mut it = args.into_iter();
    let program = it.next().unwrap_or_default();
    let rest: Vec<String> = it.collect();
    let usage = || PerfError::Usage(format!("{program} {usage}"));
    rest.try_into().map_err(|_| usage())
}

/// Parses `N` positional arguments and one optional last argument (the
/// `curve` of libzmq's throughput tools), or returns the usage line.
///
/// # Errors
/// [`PerfError::Usage`] when the count is wrong.
pub fn positional_and_optional<const N: usize>(
    args: impl IntoIterator<Item = String>,
    usage: &str,
) -> Result<([String; N], Option<String>), PerfError> {
    let mut it = args.into_iter();
    let program = it.next().unwrap_or_default();
    let mut rest: Vec<String> = it.collect();
    let optional = (rest.len() == N + 1).then(|| rest.pop()).flatten();
    let required = rest
        .try_into()
        .map_err(|_| PerfError::Usage(format!("{program} {usage}")))?;
    Ok((required, optional))
}

/// Parses a count or a size, as libzmq's `atoi` would but refusing junk.
///
/// # Errors
/// [`PerfError::Usage`] when `text` is not a non-negative integer.
pub fn number(text: &str, what: &str) -> Result<usize, PerfError> {
    text.parse().map_err(|_| {
        PerfError::Usage(format!(
            "{what} must be a non-negative integer, not {text:?}"
        ))
    })
}

#[cfg(test)]
mod tests;
