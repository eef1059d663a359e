//! conform: a contract-testing and conformance harness.
//!
//! The library is the pipeline of ARCHITECTURE.md, one module per stage: [`contract`] (derive and
//! load the contract), [`case`] (case files), [`run`] (targets, scheduling, HTTP), [`check`]
//! (pure verdicts), [`report`] (console, JSON, JUnit) and [`mock`] (the reference server). The
//! library never prints or exits; the binary maps its results to output and exit codes.
#![deny(missing_docs)]

pub mod allocator;
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
pub mod project;
pub mod report;
pub mod run;
pub mod snapshot;
mod statics;
pub mod yaml;
