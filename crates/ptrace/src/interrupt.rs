//! Catching SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE so the tracer can detach cleanly
//! instead of dying with tracees in a traced-stop.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);
static TICK: AtomicBool = AtomicBool::new(false);

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

extern "C" fn on_alarm(_: libc::c_int) {
    TICK.store(true, Ordering::SeqCst);
}

/// Arms a one-shot timer of `ms` milliseconds; when it fires, [`tick_due`] turns true
/// and a blocking wait returns EINTR. Used to flush output and re-check CPU placement
/// without a syscall per stop.
pub fn arm_tick(ms: u64) {
    let tv = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: (ms / 1000) as libc::time_t,
            tv_usec: ((ms % 1000) * 1000) as libc::suseconds_t,
        },
    };
    // SAFETY: tv is a live, initialised local; the old value is not wanted.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &tv, std::ptr::null_mut()) };
}

/// Whether the tick timer fired since the last call (and resets it).
pub fn tick_due() -> bool {
    // Asked at every stop: a plain load first, the locked swap only when it fired.
    TICK.load(Ordering::Relaxed) && TICK.swap(false, Ordering::SeqCst)
}

/// Installs the handlers, without SA_RESTART so a blocking wait returns EINTR.
pub fn install() {
    // SAFETY: as below; the SIGALRM handler only stores to an atomic.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_alarm as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
    }
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

/// What the signals that end tracing do, as strace's `-I`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupts {
    /// `-I 1`: they keep their default action and end the tracer at once (tracees are
    /// let go by the kernel).
    Anywhere,
    /// `-I 2`: they end tracing cleanly (attached processes detached), acted on while
    /// the tracer waits for its tracees. strace's default unless `-o FILE COMMAND`.
    WhileWaiting,
    /// `-I 3`: they are ignored: `timeout` or `kill` of the tracer do not end the trace.
    /// strace's default for `-o FILE COMMAND`.
    Never,
    /// `-I 4`: ignored, and SIGTSTP (^Z) too.
    NeverTstp,
}

/// Sets what the fatal signals do for the rest of the run (SIGTTOU and SIGTTIN are
/// ignored in every mode, as strace ignores them, so a tracer in the background still
/// writes its trace). Called once the command is started, so it never inherits these.
pub fn apply(mode: Interrupts) {
    let set = |sig: i32, action: libc::sighandler_t| {
        // SAFETY: setting a signal's disposition to SIG_IGN or SIG_DFL.
        unsafe { libc::signal(sig, action) };
    };
    set(libc::SIGTTOU, libc::SIG_IGN);
    set(libc::SIGTTIN, libc::SIG_IGN);
    match mode {
        Interrupts::Anywhere => FATAL.iter().for_each(|&s| set(s, libc::SIG_DFL)),
        Interrupts::WhileWaiting => {}
        Interrupts::Never => FATAL.iter().for_each(|&s| set(s, libc::SIG_IGN)),
        Interrupts::NeverTstp => {
            FATAL.iter().for_each(|&s| set(s, libc::SIG_IGN));
            set(libc::SIGTSTP, libc::SIG_IGN);
        }
    }
}

/// The signal that asked us to stop, if any (also one that arrived after tracing ended).
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
