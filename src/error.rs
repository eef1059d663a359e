//! The error type at the edge: every failure a command can end with, each mapped to one exit code.

use crate::diagnostic::Diagnostic;
use crate::exit_code;

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: every problem found, each with its file and position where known.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    BadInput(Vec<Diagnostic>),
    /// The target cannot be reached.
    #[error("{0}")]
    Unreachable(String),
    /// Anything else the machine refused (a file that cannot be written, a port in use).
    #[error("{0}")]
    Io(String),
    /// An error that came after cases ran, whose reports already hold the run's results and
    /// this error beside them: rendered like the error inside, but no error-only report may
    /// be written over those reports.
    #[error("{0}")]
    Reported(Box<Error>),
}

impl Error {
    /// One bad-input problem that is not in a file (a flag, the command line).
    pub fn bad(msg: impl Into<String>) -> Error {
        Error::BadInput(vec![Diagnostic::plain(msg)])
    }

    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInput(_) => exit_code::BAD_INPUT,
            Error::Unreachable(_) => exit_code::UNREACHABLE,
            Error::Io(_) => exit_code::BAD_INPUT,
            Error::Reported(inner) => inner.exit_code(),
        }
    }

    /// Every problem as a diagnostic, for the one renderer.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::BadInput(d) => d.clone(),
            Error::Reported(inner) => inner.diagnostics(),
            other => vec![Diagnostic::plain(other.to_string())],
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::BadInput(vec![d])
    }
}
