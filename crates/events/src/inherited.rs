//! The signal dispositions and mask this process started with, given back to every
//! command it starts, so that the command ignores and blocks what it would have untraced:
//! a shell starts `cmd &` with SIGINT and SIGQUIT ignored, `nohup` ignores SIGHUP, a
//! parent may ignore SIGPIPE or block SIGTERM, and an ignored signal stays ignored across
//! execve. What a tracer does with signals for itself (its `-I` handlers, its tick timer,
//! Rust's SIGPIPE, a default SIGCHLD so its waits see its children) must not reach the
//! command: handlers would become SIG_DFL at execve, and ignoring what was not inherited
//! would be kept.
//!
//! Read before `main`, from an `.init_array` entry, as Rust's runtime sets SIGPIPE to
//! SIG_IGN before `main` runs (and nothing else can say what it was).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static CAPTURED: AtomicBool = AtomicBool::new(false);
/// Bit `n - 1` set: signal `n` was SIG_IGN (the layout of /proc/PID/status's SigIgn).
static IGNORED: AtomicU64 = AtomicU64::new(0);
/// Bit `n - 1` set: signal `n` was blocked in the main thread (SigBlk).
static BLOCKED: AtomicU64 = AtomicU64::new(0);

/// The highest signal number Linux has on the architectures we build for (`_NSIG - 1`).
const LAST_SIGNAL: i32 = 64;
/// The size of the kernel's signal set, `sigsetsize` of the rt_ calls: 64 bits.
const KERNEL_SIGSET_SIZE: usize = 8;

/// The kernel's `struct sigaction` of rt_sigaction(2) on x86-64, i386 and arm64. The C
/// library's own is not used: glibc refuses the two signals it reserves (32 and 33),
/// which a parent may leave ignored (glibc's posix_spawn does) and which glibc itself
/// takes over in a process's first pthread_create.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: libc::c_ulong,
    restorer: usize,
    mask: u64,
}

/// Called by the C runtime with every program linking this crate, before `main`.
// SAFETY: glibc calls each `.init_array` entry once, single-threaded, with argc, argv
// and envp, which this one ignores; it makes syscalls and stores atomics, needing nothing
// of std's set-up.
#[used]
#[unsafe(link_section = ".init_array")]
static CAPTURE_AT_START: extern "C" fn(i32, *const *const u8, *const *const u8) = capture_at_start;

extern "C" fn capture_at_start(_: i32, _: *const *const u8, _: *const *const u8) {
    capture();
}

fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// Records the calling thread's current dispositions and mask as the ones to give back,
/// unless they were recorded already (the first record, made before `main`, stands).
pub fn capture() {
    if CAPTURED.load(Ordering::SeqCst) {
        return;
    }
    let mut ignored = 0;
    let mut blocked = 0u64;
    // SAFETY: rt_sigprocmask and rt_sigaction without a new value only write the
    // current one into live locals of the kernel's size.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_BLOCK,
            std::ptr::null::<u64>(),
            &mut blocked as *mut u64,
            KERNEL_SIGSET_SIZE,
        );
        for sig in 1..=LAST_SIGNAL {
            let mut old: KernelSigaction = std::mem::zeroed();
            let ret = libc::syscall(
                libc::SYS_rt_sigaction,
                sig,
                std::ptr::null::<KernelSigaction>(),
                &mut old as *mut KernelSigaction,
                KERNEL_SIGSET_SIZE,
            );
            if ret == 0 && old.handler == libc::SIG_IGN {
                ignored |= bit(sig);
            }
        }
    }
    IGNORED.store(ignored, Ordering::SeqCst);
    BLOCKED.store(blocked, Ordering::SeqCst);
    CAPTURED.store(true, Ordering::SeqCst);
}

/// The signals that were ignored at start, as SigIgn; None if nothing was recorded.
pub fn ignored() -> Option<u64> {
    CAPTURED
        .load(Ordering::SeqCst)
        .then(|| IGNORED.load(Ordering::SeqCst))
}

/// The signals that were blocked at start, as SigBlk; None if nothing was recorded.
pub fn blocked() -> Option<u64> {
    CAPTURED
        .load(Ordering::SeqCst)
        .then(|| BLOCKED.load(Ordering::SeqCst))
}

/// Gives the calling process what was recorded: SIG_IGN for the signals ignored then,
/// SIG_DFL for every other (which execve would make of a handler anyway), and the mask.
/// For a child between fork and execve, before any seccomp filter (which might deny
/// rt_sigaction): async-signal-safe, it only loads atomics and makes the two syscalls.
/// Does nothing if nothing was recorded.
pub fn restore() {
    if !CAPTURED.load(Ordering::SeqCst) {
        return;
    }
    let ignored = IGNORED.load(Ordering::SeqCst);
    let blocked = BLOCKED.load(Ordering::SeqCst);
    for sig in 1..=LAST_SIGNAL {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        let action = KernelSigaction {
            handler: if ignored & bit(sig) != 0 {
                libc::SIG_IGN
            } else {
                libc::SIG_DFL
            },
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        // SAFETY: rt_sigaction reads a live action of the kernel's layout whose handler
        // is SIG_IGN or SIG_DFL (no restorer needed); the old one is not wanted.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                sig,
                &action as *const KernelSigaction,
                std::ptr::null_mut::<KernelSigaction>(),
                KERNEL_SIGSET_SIZE,
            )
        };
    }
    // SAFETY: rt_sigprocmask reads a live set of the kernel's size.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            &blocked as *const u64,
            std::ptr::null_mut::<u64>(),
            KERNEL_SIGSET_SIZE,
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_before_main_and_kept() {
        let before = ignored().expect("the .init_array entry ran before main");
        // Rust's runtime ignores SIGPIPE after the record: a later capture must not
        // take that for inherited.
        capture();
        assert_eq!(ignored(), Some(before));
        assert!(blocked().is_some());
    }
}
