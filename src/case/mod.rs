//! Case files: the model, loading with file:line:column errors, typed steps, and variables.
//!
//! Nothing here sends a request. Loading resolves everything that can be known before a run
//! into a typed [`Case`]: format, unknown fields, operations, statuses, pointers, regexes,
//! assertions and capture forms; `prepare` adds what needs the run's variables: the case's
//! `vars:` in order, undefined variables and contract agreement.

pub mod load;
pub mod model;
pub mod typed;
pub mod vars;

pub use load::{discover, load_case, parse_case, prepare, CaseRef, LoadError};
pub use typed::Case;
