//! The id of this process, for the fork checks of `Consumer`, `Message` and `Event`, without a
//! `getpid` system call each time.
//!
//! Every message is checked when it is made, acked and dropped (glibc keeps no pid cache, so
//! `std::process::id()` is a system call each time: three per record). Instead the id is read
//! once when the module is loaded and again in every child `fork()` makes, by a handler that
//! `pthread_atfork` runs in the child before `fork()` returns there, so before any Python code
//! runs in it. That covers `os.fork()`, `multiprocessing`'s fork start method and a C
//! library's own `fork()` alike; a `vfork()` or `posix_spawn()` child runs no Python code.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// This process's id (0 until [`init`]).
static PID: AtomicU32 = AtomicU32::new(0);

/// The handler is registered once per process, however often the module is initialized.
static REGISTERED: Once = Once::new();

// The libc crate is not a dependency of this crate; the declaration is POSIX's.
extern "C" {
    fn pthread_atfork(
        prepare: Option<unsafe extern "C" fn()>,
        parent: Option<unsafe extern "C" fn()>,
        child: Option<unsafe extern "C" fn()>,
    ) -> c_int;
}

/// Runs in the child of every `fork()`, on the thread that forked: `getpid` and an atomic
/// store are async-signal-safe.
unsafe extern "C" fn in_child() {
    PID.store(std::process::id(), Ordering::Relaxed);
}

/// Reads the id and registers the child handler (module init).
pub(crate) fn init() -> Result<(), String> {
    let mut failed = 0;
    REGISTERED.call_once(|| {
        PID.store(std::process::id(), Ordering::Relaxed);
        // SAFETY: `in_child` is async-signal-safe and stays loaded (CPython never unloads an
        // extension module).
        failed = unsafe { pthread_atfork(None, None, Some(in_child)) };
    });
    match failed {
        0 => Ok(()),
        code => Err(format!("pthread_atfork failed (error {code})")),
    }
}

/// This process's id.
#[inline]
pub(crate) fn id() -> u32 {
    match PID.load(Ordering::Relaxed) {
        0 => std::process::id(), // not initialized: never the case once the module is loaded
        pid => pid,
    }
}
