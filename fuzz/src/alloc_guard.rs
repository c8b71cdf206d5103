//! The global allocator of every fuzz target: the system allocator, but any single request
//! for more than [`LIMIT`] bytes aborts the process, so libFuzzer records the input as a
//! crash. libFuzzer's own `-malloc_limit_mb` relies on a sanitizer's malloc hooks, which the
//! stable toolchain cannot build; `-rss_limit_mb` (set by `run.sh`) still catches slow growth.
//!
//! Why abort: no input of these targets (at most a few hundred KiB) has any business making
//! the server reserve this much at once; when one does, a length or count read from the input
//! is trusted before it is checked, and a request of the same shape would exhaust the server.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

/// Largest single allocation allowed (64 MiB: well above the server's own body limits).
pub const LIMIT: usize = 64 << 20;

/// The guarding allocator.
pub struct Guard;

thread_local! {
    /// Set while a refused allocation is being reported, so the report's own allocations
    /// (the backtrace) are never refused in turn.
    static REPORTING: Cell<bool> = const { Cell::new(false) };
}

fn check(size: usize) {
    if size > LIMIT && !REPORTING.with(|r| r.replace(true)) {
        // Unbuffered stderr: formatting an integer to it does not allocate.
        let _ = writeln!(
            std::io::stderr(),
            "==fuzz== allocation of {size} bytes exceeds the {LIMIT}-byte limit, at:\n{}",
            std::backtrace::Backtrace::force_capture()
        );
        std::process::abort();
    }
}

// SAFETY (for every method): each forwards to `System` with the caller's own arguments, after
// a size check that either returns or aborts; the contract of `GlobalAlloc` passes through.
unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Guard = Guard;
