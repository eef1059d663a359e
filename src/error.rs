//! The error type at the edge: every failure a command can end with, each mapped to one exit code.

use crate::exit_code;

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input, one line per problem (file:line:column where known).
    #[error("{}", .0.join("\n"))]
    BadInput(Vec<String>),
    /// The target cannot be reached.
    #[error("{0}")]
    Unreachable(String),
    /// Anything else the machine refused (a file that cannot be written, a port in use).
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// One bad-input line.
    pub fn bad(msg: impl Into<String>) -> Error {
        Error::BadInput(vec![msg.into()])
    }

    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInput(_) => exit_code::BAD_INPUT,
            Error::Unreachable(_) => exit_code::UNREACHABLE,
            Error::Io(_) => exit_code::BAD_INPUT,
        }
    }
}
