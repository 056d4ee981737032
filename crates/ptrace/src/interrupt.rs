//! Catching SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE so the tracer can detach cleanly
//! instead of dying with tracees in a traced-stop.

use std::sync::atomic::{AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);

/// The signals that end tracing.
pub const FATAL: [i32; 5] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGPIPE,
];

extern "C" fn on_signal(sig: libc::c_int) {
    PENDING.store(sig, Ordering::SeqCst);
}

/// Installs the handlers, without SA_RESTART so a blocking wait returns EINTR.
pub fn install() {
    for sig in FATAL {
        // SAFETY: sigaction is plain data; the handler only stores to an atomic, which
        // is async-signal-safe.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = 0;
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// The signal that asked us to stop, if any.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// Ends this process the way `sig` would, so a shell sees 128+sig: restore the default
/// action, unblock, raise. Core dumps are disabled first (the tracee dumped already).
pub fn die_by(sig: i32) -> ! {
    // SAFETY: plain libc calls on integers and live locals.
    unsafe {
        let rl = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &rl);
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    // Signals whose default action is not to terminate (SIGCHLD...) cannot end us.
    std::process::exit(128 + sig)
}
