//! Case files: the model, loading with file:line:column errors, and variables.
//!
//! Nothing here sends a request. Loading validates everything that can be known before a run:
//! format, unknown fields, operations, statuses, pointers, regexes and capture forms; `prepare`
//! adds what needs a variable scope: undefined variables and contract agreement.

pub mod load;
pub mod model;
pub mod vars;

pub use load::{discover, load_case, prepare, Case, CaseRef, LoadError};
