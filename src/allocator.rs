//! The allocator the `conform` binary (and the in-process benches) run on: mimalloc, set up
//! for a short-lived, I/O-bound process.
//!
//! glibc's malloc takes an arena lock when one async worker frees what another allocated,
//! which hyper and reqwest do on every request (14% of the mock's samples under load waited on
//! it); mimalloc frees across threads without a lock. Its defaults keep freed memory for a
//! second before giving it back, which put a 10,000-case run at 41.6 MiB peak RSS (37.2 with
//! glibc); giving it back at once measured 34.2 MiB at the same speed (`cargo bench --bench
//! runner`). Transparent huge pages are off (the `no_thp` feature): zeroing 2 MiB pages at
//! start-up doubled a 100-case run's wall time.

/// The allocator type, for `#[global_allocator]`.
pub type Allocator = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the 16th entry of `mi_option_e` in mimalloc.h, in both
/// of the versions libmimalloc-sys ships), which libmimalloc-sys names no constant for.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// How long freed memory is kept before it goes back to the system.
const PURGE_DELAY_MS: std::os::raw::c_long = 0;

/// Sets the allocator's options. Call it first thing in `main`, before any thread starts
/// (mimalloc's option calls are not thread-safe).
///
/// mimalloc's own `MIMALLOC_PURGE_DELAY`, when set, wins.
pub fn configure() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: an FFI call with plain integer arguments; the caller runs it before other
    // threads exist, as mimalloc requires of option changes.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
}

/// The allocator's current purge delay in milliseconds.
pub fn purge_delay() -> std::os::raw::c_long {
    // SAFETY: as above; reading an option is an FFI call with no pointers.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_configure_sets() {
        // mimalloc's default purge delay is 10 ms in v2 and 1,000 ms in v3: the option exists
        // and is not zero until `configure` runs, so a renumbered enum would fail here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("MIMALLOC_PURGE_DELAY is set: configure leaves the option alone");
            return;
        }
        let before = super::purge_delay();
        assert!(before > 0, "purge delay {before}");
        super::configure();
        assert_eq!(super::purge_delay(), 0);
    }
}
