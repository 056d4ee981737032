//! `sysfence run --isolate`: the filtered command in new PID and mount namespaces with a
//! private /proc, under a small init of ours as PID 1, as `docker run --init` runs one. A
//! profile governs the filtered process only: without a PID namespace it may ptrace (or
//! write the memory of) an unfiltered process of its user and make that run what the
//! profile denies; inside one, no process outside is even visible.
//!
//! sysfence (outside) ─ waits, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT ─► init (PID 1)
//! init ─ forwards them to the command, reaps orphans, exits with the command's status
//! (128+N when a signal N killed it); the kernel then ends whatever is left inside.

use crate::bpf::Program;
use crate::install;
use std::ffi::{CStr, CString};
use std::io;
use std::time::Duration;

/// The signals passed on to the command (those a terminal or `kill`/`timeout` sends).
const FORWARDED: [i32; 6] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

/// Why the isolated run could not start.
#[derive(Debug, thiserror::Error)]
pub enum IsolateError {
    /// unshare(CLONE_NEWPID) was refused.
    #[error(
        "cannot create a PID namespace: {0} (needs CAP_SYS_ADMIN: run as root, or without --isolate)"
    )]
    Namespace(io::Error),
    /// fork failed.
    #[error("cannot start the namespace's init: {0}")]
    Fork(io::Error),
}

/// Runs `path` under `program` (installed by the command's own process before execve, as
/// `exec_filtered` does) in new PID and mount namespaces; returns the wait status of the
/// namespace's init, whose exit code is the command's (128+N if signal N killed it).
pub fn run_isolated(
    program: &Program,
    extra: u32,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
) -> Result<i32, IsolateError> {
    let waited = signal_set(&[&FORWARDED[..], &[libc::SIGCHLD]].concat());
    // SAFETY: unshare takes a flag word; the new PID namespace applies to our children.
    if unsafe { libc::unshare(libc::CLONE_NEWPID) } != 0 {
        return Err(IsolateError::Namespace(io::Error::last_os_error()));
    }
    // Blocked before the fork: no signal is lost between it and the wait loops.
    let old_mask = block(&waited);
    // SAFETY: `run` is single-threaded here, so the child may do anything the parent could.
    let init = unsafe { libc::fork() };
    if init < 0 {
        return Err(IsolateError::Fork(io::Error::last_os_error()));
    }
    if init == 0 {
        let code = be_init(program, extra, path, argv, envp, &waited, &old_mask);
        // SAFETY: ending the child without running the parent's exit handlers.
        unsafe { libc::_exit(code) };
    }
    let status = supervise(init, &waited);
    restore(&old_mask);
    Ok(status)
}

/// PID 1 inside: a private /proc, the command started, signals forwarded, orphans
/// reaped; returns the exit code to end with.
fn be_init(
    program: &Program,
    extra: u32,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
    waited: &libc::sigset_t,
    old_mask: &libc::sigset_t,
) -> i32 {
    if let Err(e) = private_proc() {
        eprintln!("sysfence: --isolate: cannot mount a private /proc: {e}");
        return 126;
    }
    // SAFETY: single-threaded child; fork as above.
    let command = unsafe { libc::fork() };
    if command < 0 {
        eprintln!(
            "sysfence: --isolate: cannot start the command: {}",
            io::Error::last_os_error()
        );
        return 126;
    }
    if command == 0 {
        restore(old_mask);
        let err = install::exec_filtered(program, extra, path, argv, envp);
        eprintln!(
            "sysfence: cannot run {} under the profile: {err}",
            path.to_string_lossy()
        );
        // SAFETY: ending the child after a failed exec.
        unsafe { libc::_exit(126) };
    }
    let status = supervise(command, waited);
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    }
}

/// Mount namespace of our own, nothing propagating back, and a /proc of the new PID
/// namespace on top of the old one.
fn private_proc() -> io::Result<()> {
    let none = c"none";
    let root = c"/";
    let proc_ = c"proc";
    let target = c"/proc";
    // SAFETY: plain syscalls on NUL-terminated literals.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::mount(
            none.as_ptr(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
        if libc::mount(
            proc_.as_ptr(),
            target.as_ptr(),
            proc_.as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Waits for `child`, passing every signal of `waited` but SIGCHLD (which only wakes us)
/// on to it and reaping every other child that ends meanwhile (orphans, inside the
/// namespace); returns `child`'s status.
fn supervise(child: libc::pid_t, waited: &libc::sigset_t) -> i32 {
    let tick = libc::timespec {
        tv_sec: 0,
        tv_nsec: Duration::from_millis(50).as_nanos() as libc::c_long,
    };
    loop {
        loop {
            let mut status = 0;
            // SAFETY: status is a live local.
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
            if pid == child {
                return status;
            }
            if pid <= 0 {
                break;
            }
        }
        // SAFETY: info is written by the kernel; the set and timeout are live locals.
        let sig = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::sigtimedwait(waited, &mut info, &tick)
        };
        if sig > 0 && sig != libc::SIGCHLD {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(child, sig) };
        }
    }
}

fn signal_set(signals: &[i32]) -> libc::sigset_t {
    // SAFETY: sigset_t is plain data, initialised by sigemptyset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for &s in signals {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

fn block(set: &libc::sigset_t) -> libc::sigset_t {
    // SAFETY: sigprocmask with live sets.
    unsafe {
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigprocmask(libc::SIG_BLOCK, set, &mut old);
        old
    }
}

fn restore(old: &libc::sigset_t) {
    // SAFETY: sigprocmask with a live set.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, old, std::ptr::null_mut()) };
}
