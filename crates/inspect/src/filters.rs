//! Reading the seccomp filters a process runs under: the target is seized, interrupted,
//! asked for each filter (PTRACE_SECCOMP_GET_FILTER, flags from
//! PTRACE_GET_SECCOMP_METADATA) and detached at once, on every path, errors included.

use crate::seccomp_state::{self, ProcessSeccomp};
use crate::sys;
use seccomp::Program;
use std::io;
use std::time::{Duration, Instant};

/// One filter of a process.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Its index for PTRACE_SECCOMP_GET_FILTER: 0 is the oldest (installed first), as
    /// the kernel counts (get_nth_filter walks back from the newest).
    pub index: usize,
    /// Its program.
    pub program: Program,
    /// The SECCOMP_FILTER_FLAG_* bits the kernel reports for it (only LOG is).
    pub flags: u64,
}

/// Why a process's filters could not be read; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ReadFiltersError {
    /// No such process (any more).
    #[error("process {pid} does not exist (it has exited, or the PID is mistyped)")]
    Gone {
        /// The PID asked for.
        pid: i32,
    },
    /// The process has exited; its parent has not reaped it yet.
    #[error(
        "process {pid} has exited (a zombie, until its parent, PID {parent}, reaps it): it runs no filter any more"
    )]
    Zombie {
        /// The PID.
        pid: i32,
        /// Its parent, which has to wait(2) for it.
        parent: i32,
    },
    /// The process runs without seccomp.
    #[error("process {pid} has no seccomp filter (Seccomp: 0, disabled)")]
    NoFilter {
        /// The PID.
        pid: i32,
    },
    /// Strict mode has no filter to read.
    #[error(
        "process {pid} is in seccomp strict mode (Seccomp: 1), which has no filter: it may call only read, write, _exit and rt_sigreturn (sigreturn on i386); anything else kills it"
    )]
    Strict {
        /// The PID.
        pid: i32,
    },
    /// Another tracer holds the process; a process has one tracer at most.
    #[error(
        "process {pid} is already traced by PID {tracer} (TracerPid in /proc/{pid}/status); detach that tracer (strace, gdb, sysfence trace) and try again"
    )]
    Traced {
        /// The PID.
        pid: i32,
        /// Its tracer.
        tracer: i32,
    },
    /// The kernel hands filters out only to a tracer that is itself unfiltered.
    #[error(
        "sysfence itself runs under a seccomp filter (Seccomp: {mode} in /proc/self/status: inside a container, a systemd unit with SystemCallFilter=, or `sysfence run`), and the kernel refuses PTRACE_SECCOMP_GET_FILTER with EACCES to a filtered caller, even root; run sysfence dump from outside the filter (on the host, or outside the unit)"
    )]
    SelfFiltered {
        /// Our own seccomp mode.
        mode: u32,
    },
    /// Reading filters takes CAP_SYS_ADMIN.
    #[error(
        "reading process {pid}'s filters needs CAP_SYS_ADMIN, which sysfence lacks (the kernel answered EACCES); run it as root (sudo sysfence ...)"
    )]
    NoCapSysAdmin {
        /// The PID.
        pid: i32,
    },
    /// Attaching was refused.
    #[error(
        "cannot attach to process {pid}: {} (attaching needs CAP_SYS_PTRACE or the same user, a dumpable process, and a Yama ptrace_scope that allows it; run as root)",
        crate::os_text(.error)
    )]
    NoPermission {
        /// The PID.
        pid: i32,
        /// The OS error.
        error: io::Error,
    },
    /// The target did not stop when interrupted (stuck in the kernel, in D state).
    #[error(
        "process {pid} did not stop within {secs} s of PTRACE_INTERRUPT (it may be in uninterruptible sleep); it was detached; try again"
    )]
    NoStop {
        /// The PID.
        pid: i32,
        /// How long we waited.
        secs: u64,
    },
    /// Another failure of the kernel interface.
    #[error("process {pid}: {what}: {}", crate::os_text(.error))]
    Os {
        /// The PID.
        pid: i32,
        /// The step that failed.
        what: &'static str,
        /// The OS error.
        error: io::Error,
    },
}

/// How long a target may take to enter the ptrace-stop.
const STOP_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a tracer must hold the target before it is reported: another inspector (a
/// `status` elsewhere) holds it for a moment only.
const TRACED_PATIENCE: Duration = Duration::from_millis(500);

/// Reads every filter of `pid`, innermost (newest, installed last) first: the order in
/// which the kernel runs them, the newest winning ties.
pub fn read_filters(pid: i32) -> Result<Vec<Filter>, ReadFiltersError> {
    let deadline = Instant::now() + TRACED_PATIENCE;
    loop {
        match read_filters_once(pid) {
            // EPERM from PTRACE_SEIZE with no tracer left in TracerPid: one that let go
            // in between; another try tells a race from a real lack of permission.
            Err(ReadFiltersError::Traced { .. } | ReadFiltersError::NoPermission { .. })
                if Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn read_filters_once(pid: i32) -> Result<Vec<Filter>, ReadFiltersError> {
    let state = seccomp_state::read(pid).ok_or(ReadFiltersError::Gone { pid })?;
    check_readable(&state)?;
    let seized = Seized::new(pid)?;
    let mut filters = Vec::new();
    for index in 0.. {
        match sys::seccomp_get_filter(pid, index) {
            Ok(insns) => {
                let program = seccomp::install::from_sock_filters(&insns);
                let flags = sys::seccomp_filter_flags(pid, index).unwrap_or(0);
                filters.push(Filter {
                    index,
                    program,
                    flags,
                });
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => break,
            Err(e) => return Err(classify_get_filter(pid, e)),
        }
    }
    drop(seized);
    filters.reverse();
    Ok(filters)
}

/// The checks that need no attach: mode and tracer. (Our own filter is left to the
/// kernel, whose EACCES is then explained.)
fn check_readable(state: &ProcessSeccomp) -> Result<(), ReadFiltersError> {
    let pid = state.pid;
    if let Ok(stat) = procfs::process::Process::new(pid).and_then(|p| p.stat())
        && stat.state == 'Z'
    {
        return Err(ReadFiltersError::Zombie {
            pid,
            parent: stat.ppid,
        });
    }
    match state.main.mode {
        0 => return Err(ReadFiltersError::NoFilter { pid }),
        1 => return Err(ReadFiltersError::Strict { pid }),
        _ => {}
    }
    let me = std::process::id() as i32;
    if state.tracer_pid != 0 && state.tracer_pid != me {
        return Err(ReadFiltersError::Traced {
            pid,
            tracer: state.tracer_pid,
        });
    }
    Ok(())
}

fn classify_get_filter(pid: i32, e: io::Error) -> ReadFiltersError {
    match e.raw_os_error() {
        Some(libc::EACCES) => match sys::own_seccomp_mode().filter(|&m| m != 0) {
            Some(mode) => ReadFiltersError::SelfFiltered { mode },
            None => ReadFiltersError::NoCapSysAdmin { pid },
        },
        Some(libc::ESRCH) => ReadFiltersError::Gone { pid },
        _ => ReadFiltersError::Os {
            pid,
            what: "PTRACE_SECCOMP_GET_FILTER",
            error: e,
        },
    }
}

/// A seized, stopped target; dropping it detaches, giving back any signal the stop took.
struct Seized {
    pid: i32,
    /// The signal to deliver on detach (a signal-delivery-stop's), 0 for none.
    pending_signal: i32,
    /// Whether it is still attached (not dead).
    attached: bool,
}

impl Seized {
    fn new(pid: i32) -> Result<Seized, ReadFiltersError> {
        if let Err(e) = sys::ptrace_seize(pid) {
            return Err(match e.raw_os_error() {
                Some(libc::ESRCH) => ReadFiltersError::Gone { pid },
                Some(libc::EPERM) => match seccomp_state::read(pid) {
                    None => ReadFiltersError::Gone { pid },
                    Some(s) if s.tracer_pid != 0 => ReadFiltersError::Traced {
                        pid,
                        tracer: s.tracer_pid,
                    },
                    Some(_) => ReadFiltersError::NoPermission { pid, error: e },
                },
                _ => ReadFiltersError::Os {
                    pid,
                    what: "PTRACE_SEIZE",
                    error: e,
                },
            });
        }
        let mut seized = Seized {
            pid,
            pending_signal: 0,
            attached: true,
        };
        if let Err(e) = sys::ptrace_interrupt(pid) {
            return Err(ReadFiltersError::Os {
                pid,
                what: "PTRACE_INTERRUPT",
                error: e,
            });
        }
        seized.wait_for_stop()?;
        Ok(seized)
    }

    fn wait_for_stop(&mut self) -> Result<(), ReadFiltersError> {
        let pid = self.pid;
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            let status = sys::wait_nohang(pid).map_err(|error| ReadFiltersError::Os {
                pid,
                what: "waitpid",
                error,
            })?;
            match status {
                Some(s) if libc::WIFEXITED(s) || libc::WIFSIGNALED(s) => {
                    self.attached = false;
                    return Err(ReadFiltersError::Gone { pid });
                }
                Some(s) if libc::WIFSTOPPED(s) => {
                    let event = (s >> 16) & 0xff;
                    // A signal-delivery-stop took a signal meant for the process: it is
                    // given back on detach. Our interrupt's stop (and a group-stop) is an
                    // event stop, which takes none.
                    if event == 0 {
                        self.pending_signal = libc::WSTOPSIG(s);
                    }
                    return Ok(());
                }
                Some(_) => {}
                None if Instant::now() >= deadline => {
                    return Err(ReadFiltersError::NoStop {
                        pid,
                        secs: STOP_TIMEOUT.as_secs(),
                    });
                }
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    }
}

impl Drop for Seized {
    fn drop(&mut self) {
        if self.attached {
            // A target that is not (yet) stopped cannot be detached; the kernel then
            // detaches it when we exit, clearing the pending interrupt, and it runs on.
            let _ = sys::ptrace_detach(self.pid, self.pending_signal);
        }
    }
}
