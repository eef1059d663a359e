//! Exit codes, stated once.

/// Every case passed (or there was nothing to do).
pub const OK: i32 = 0;
/// A case failed.
pub const FAILED: i32 = 1;
/// Bad input: a case file, the config, a flag, a page.
pub const BAD_INPUT: i32 = 2;
/// The target could not be reached, or the run was aborted.
pub const UNREACHABLE: i32 = 3;
