//! What can go wrong in a measurement.

/// A measurement failed.
#[derive(Debug, thiserror::Error)]
pub enum PerfError {
    /// The command line was not understood; the text is the usage line.
    #[error("usage: {0}")]
    Usage(String),
    /// The socket library reported an error.
    #[error(transparent)]
    Zmtp(#[from] zmtp::Error),
    /// A message of another size than the one measured arrived (libzmq's
    /// tools stop on this too).
    #[error("message of incorrect size received: {got} (expected {expected})")]
    WrongSize {
        /// The size given on the command line.
        expected: usize,
        /// The size received.
        got: usize,
    },
    /// A message with other than one frame arrived.
    #[error("message with {0} frames received (expected 1)")]
    WrongFrames(usize),
    /// Starting a runtime or a child process failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
