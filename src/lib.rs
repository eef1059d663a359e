//! conform: a contract-testing and conformance harness.
//!
//! The library is the pipeline of docs/layout.md, one module per stage: [`contract`] (derive and
//! load the contract), [`case`] (case files), [`run`] (targets, scheduling, HTTP), [`check`]
//! (pure verdicts), [`report`] (console, JSON, JUnit) and [`mock`] (the reference server). The
//! library never prints or exits; the binary maps its results to output and exit codes.
#![deny(missing_docs)]

pub mod case;
pub mod check;
pub mod commands;
pub mod contract;
pub mod diagnostic;
pub mod error;
pub mod exit_code;
pub mod flags;
pub mod generate;
pub mod input;
pub mod mock;
pub mod pointer;
pub mod project;
pub mod report;
pub mod run;
pub mod secrets;
pub mod snapshot;
mod statics;
pub mod yaml;

/// The git commit this binary was built from (`unknown` outside a git checkout), by build.rs.
pub const COMMIT: &str = env!("CONFORM_COMMIT");

/// The first 12 hex digits of the sha256 of the contract (`schemas/`) this binary was built
/// with, computed by build.rs (`none` without one). It names the contract in the source tree at
/// build time, not the one a project holds when conform runs.
pub const CONTRACT_SHA256: &str = env!("CONFORM_CONTRACT_SHA256");

/// What `conform --version` prints after the name: the crate version, [`COMMIT`] and
/// [`CONTRACT_SHA256`].
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CONFORM_COMMIT"),
    ", contract sha256:",
    env!("CONFORM_CONTRACT_SHA256"),
    ")"
);
