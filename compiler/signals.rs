//! SIGINT, SIGTERM and SIGHUP: the handler only records the signal; `apply` and the
//! long commands look at [`caught`] between files and between phases, stop at the next
//! safe point, clean up and exit 128 + the signal's number (130, 143, 129). A second
//! signal while the first is being handled gets the default action: the process dies
//! at once, as it would have without kubeplan's handler (what a second Ctrl-C means).
//!
//! Written over `libc` rather than a crate: the handler is one atomic operation, plus
//! `signal` and `raise` for the second signal, all three async-signal-safe (signal-safety(7)).

use std::sync::atomic::{AtomicI32, Ordering};

/// The first signal received, 0 for none.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// The signals handled.
pub const HANDLED: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn record(signal: libc::c_int) {
    if CAUGHT
        .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        // SAFETY: signal(2) and raise(3) are async-signal-safe; SIG_DFL is a valid
        // disposition.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP, except for a signal that the
/// process was started with ignored (`nohup` ignores SIGHUP): that one stays ignored.
/// System calls the signal interrupts are restarted (SA_RESTART).
pub fn install() {
    for signal in HANDLED {
        // SAFETY: a zeroed sigaction is a valid value to fill; `record` is an
        // `extern "C" fn(c_int)` that does only async-signal-safe work.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal received, if one was.
pub fn caught() -> Option<i32> {
    match CAUGHT.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// `SIGINT`, `SIGTERM`, `SIGHUP`.
pub fn name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".to_owned(),
        libc::SIGTERM => "SIGTERM".to_owned(),
        libc::SIGHUP => "SIGHUP".to_owned(),
        other => format!("signal {other}"),
    }
}

/// The exit code of a run stopped by `signal`: 128 + its number, as a shell reports a
/// process the signal killed (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}
