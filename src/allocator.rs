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

use std::alloc::{GlobalAlloc, Layout};
use std::os::raw::c_void;

use libmimalloc_sys as mi;

/// The allocator, for `#[global_allocator]`: mimalloc, called as C calls it.
///
/// The `mimalloc` crate's own type asks for every block through mimalloc's aligned entry points
/// (`mi_malloc_aligned`), which check the alignment and take a slower path for blocks over 1 KiB;
/// they were 7.5% of the mock's instructions on a GET. mimalloc aligns every block of 16 bytes or
/// more to 16 and smaller ones to 8 (`MI_MAX_ALIGN_SIZE`, asserted in its `alloc.c`), as glibc
/// does, so layouts within that (nearly all: std's `System` makes the same choice) take plain
/// `mi_malloc`; the rest take the aligned calls. A test holds mimalloc to that alignment.
pub struct Allocator;

/// The alignment every mimalloc block of at least this size has.
const MAX_ALIGN: usize = 16;

/// Whether plain `mi_malloc` of `size` bytes is aligned enough for `align`.
fn plain(align: usize, size: usize) -> bool {
    align <= MAX_ALIGN && align <= size
}

// SAFETY: every call hands mimalloc the size asked for; blocks are freed by the allocator that
// made them (`mi_free` takes aligned and plain blocks alike); `plain` only routes a layout to
// `mi_malloc` when mimalloc's block alignment covers it.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if plain(layout.align(), new_size) {
            mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

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
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn every_block_is_aligned_as_its_layout_asks_through_growth_and_shrinking() {
        let a = super::Allocator;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=64).chain([100, 1000, 1024, 1025, 4096, 5000, 70_000, 1 << 21]) {
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: a non-zero size; each block is written within its size, then freed
                // with the layout it was made with.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "alloc {size} bytes, align {align}");
                    p.write_bytes(0xA5, size);
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zeroed {size}, align {align}");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|b| *b == 0));
                    a.dealloc(z, layout);
                    // Grown to three times the size, then shrunk to half of it: aligned, and
                    // the first bytes kept, each time.
                    let mut block = p;
                    let mut current = layout;
                    for new_size in [size * 3, size.div_ceil(2)] {
                        block = a.realloc(block, current, new_size);
                        assert_eq!(
                            block as usize % align,
                            0,
                            "realloc {} -> {new_size}, align {align}",
                            current.size()
                        );
                        let kept = current.size().min(new_size).min(size);
                        assert!(
                            std::slice::from_raw_parts(block, kept)
                                .iter()
                                .all(|b| *b == 0xA5),
                            "realloc keeps the contents"
                        );
                        current = Layout::from_size_align(new_size, align).expect("layout");
                    }
                    a.dealloc(block, current);
                }
            }
        }
    }

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
