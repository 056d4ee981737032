//! The ptrace event source: starts a command or attaches to running processes, follows
//! their tasks through the ptrace stop state machine (syscall stops, fork/vfork/clone,
//! exec, signals, group-stop), reads their memory with `process_vm_readv`, and pushes
//! [`events::Event`]s into a [`events::Sink`].
//!
//! Built on PTRACE_SEIZE (so group-stops can be handled with PTRACE_LISTEN, as strace
//! does) and PTRACE_GET_SYSCALL_INFO (no register dumps).

mod affinity;
mod interrupt;
mod mem;
mod seccomp;
mod sockets;
mod spawn;
mod sys;
mod tracer;

pub use interrupt::{Interrupts, die_by, pending as pending_signal};
pub use mem::TaskMemory;
pub use tracer::{Outcome, Target, Tracer, TracerBuilder, proc_state};

/// Starts `command` (looked up on PATH as execvp does) stopped by SIGSTOP before its
/// execve, untraced, with `stdout` as its fd 1 if given, for a source other than ptrace
/// to take it from there: SIGCONT lets it exec. Its pid.
pub fn start_stopped(
    command: &[std::ffi::OsString],
    stdout: Option<std::os::fd::RawFd>,
) -> Result<i32, TraceError> {
    let program = command
        .first()
        .ok_or_else(|| TraceError::CommandNotFound(String::new()))?;
    let path = spawn::resolve(program)?;
    spawn::spawn_stopped(&path, command, None, stdout)
}

use std::io;

/// An OS error as strerror(3) says it, without Rust's "(os error N)".
pub(crate) fn os_text(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// What can lift a refused PTRACE_SEIZE here: privilege when we lack it, Yama's
/// ptrace_scope where the kernel has Yama and it restricts, else what is left.
fn permission_hint() -> String {
    let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok());
    // SAFETY: geteuid takes no arguments and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut hints = Vec::new();
    if !root {
        hints.push("run as root or with CAP_SYS_PTRACE".to_string());
    }
    match scope {
        Some(3) => {
            hints.push("Yama's ptrace_scope is 3 (no attaching at all, until reboot)".to_string())
        }
        Some(n @ 1..=2) => hints.push(format!(
            "Yama's ptrace_scope is {n}: set /proc/sys/kernel/yama/ptrace_scope to 0"
        )),
        _ => {}
    }
    if root && hints.is_empty() {
        hints.push(
            "even root may not trace it: it may belong to another user namespace (PID 1 of a container or sandbox) or be protected by a security module"
                .to_string(),
        );
    }
    format!(" ({})", hints.join("; "))
}

/// Why tracing could not start or go on; each message names the problem and the fix.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The command to run does not exist.
    #[error("can't run `{0}`: no such file or executable on PATH (give a path, or install it)")]
    CommandNotFound(String),
    /// fork or the pre-exec handshake failed.
    #[error("could not start the command: {0}")]
    Spawn(io::Error),
    /// `-p` named a process that does not exist.
    #[error("no process with PID {0} (check it with `ps -p {0}`)")]
    NoSuchProcess(i32),
    /// `-p` named a process that has already exited (a zombie not yet reaped).
    #[error(
        "process {0} has already exited (it is a zombie waiting for its parent); nothing to trace"
    )]
    Exited(i32),
    /// `-p` named a process another tracer holds.
    #[error(
        "process {pid} is already traced by process {tracer}; detach that tracer (strace, gdb) first"
    )]
    AlreadyTraced {
        /// The target.
        pid: i32,
        /// Its current tracer.
        tracer: i32,
    },
    /// The kernel refused to let us trace.
    #[error(
        "not permitted to trace process {pid}: {}{}",
        os_text(error),
        permission_hint()
    )]
    Permission {
        /// The target.
        pid: i32,
        /// The kernel's error.
        error: io::Error,
    },
    /// A ptrace request failed unexpectedly.
    #[error("ptrace {op} on {pid} failed: {error}")]
    Ptrace {
        /// The request.
        op: &'static str,
        /// The task.
        pid: i32,
        /// The kernel's error.
        error: io::Error,
    },
    /// A sink failed to write.
    #[error("writing the trace failed: {0}")]
    Output(io::Error),
}
