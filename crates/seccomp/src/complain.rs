//! Complain mode: run a program under the complain variant of a policy and record each
//! syscall the real policy would have blocked, letting it run.

use crate::Program;
use crate::install::{self, Notification, Supervised};
use events::cpus;
use policy::{Action, Policy};
use std::collections::BTreeMap;
use std::io;
use std::time::Duration;
use syscalls::Arch;

/// One syscall the policy would have blocked, as notified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WouldBlock {
    /// The calling process (thread group).
    pub pid: u32,
    /// The calling thread.
    pub tid: u32,
    /// The ABI of the call (None for an ABI sysfence does not know).
    pub arch: Option<Arch>,
    /// The syscall number as the kernel saw it.
    pub nr: u32,
    /// Its name, or `nr_N` when the table has none.
    pub name: String,
    /// What the real policy answers.
    pub action: Action,
    /// The arguments.
    pub args: [u64; 6],
}

/// Per (name, process): how many times the policy would have blocked it.
pub type Counts = BTreeMap<(String, u32), u64>;

/// What a complain-mode run produced.
#[derive(Debug)]
pub struct ComplainRun {
    /// The program's raw wait status.
    pub status: i32,
    /// Calls the policy would have blocked, counted by (name, pid).
    pub counts: Counts,
}

/// How a supervisor answers one notified call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Let it run (complain mode, recording).
    Continue,
    /// Fail it with this errno, as SECCOMP_RET_ERRNO would.
    Fail(i32),
    /// Kill its process, as SECCOMP_RET_KILL_PROCESS would (with SIGKILL: a supervisor
    /// cannot make the kernel's SIGSYS death).
    Kill,
    /// Fail it with ENOSYS and send its thread SIGSYS, as SECCOMP_RET_TRAP would (without
    /// the kernel's siginfo fields).
    Trap,
    /// Kill every process of the supervised tree (SIGKILL) before the call runs: the run
    /// cannot go on usefully.
    KillAll,
}

impl Answer {
    /// The answer that reproduces what `action` does to a call, as far as a supervisor can.
    pub fn enforcing(action: Action) -> Answer {
        match action {
            Action::Allow | Action::Log | Action::Notify => Answer::Continue,
            Action::Errno(e) => Answer::Fail(i32::from(e)),
            // Without a tracer attached, the kernel fails a TRACE answer with ENOSYS.
            Action::Trace(_) => Answer::Fail(libc::ENOSYS),
            Action::Trap => Answer::Trap,
            Action::KillThread | Action::KillProcess => Answer::Kill,
        }
    }
}

/// Runs `launch` under `policy`'s complain variant (compiled as `program`, with calls of
/// other ABIs notified rather than killed), calling `on_call` for each notified syscall
/// as it happens and answering it as `on_call` says, and returns the command's wait status
/// and the counts of calls answered.
///
/// The supervisor stays until the last process holding the filter is gone (the listener
/// reports hang-up), so a daemon's later calls are reported too; it is the subreaper of
/// the command's tree, so orphans are reaped here and never keep the filter alive as
/// zombies. SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to the command and the run
/// goes on to its end, so the report is still made; those a terminal sent (^C) already
/// reached the command, in the same foreground job, and are not passed on again. A call whose answer finds it gone
/// (interrupted, to be notified again on restart; or its task killed) is not counted.
pub fn run_complain(
    policy: &Policy,
    program: &Program,
    launch: &install::Launch,
    mut on_call: impl FnMut(&WouldBlock) -> Answer,
) -> io::Result<ComplainRun> {
    // SAFETY: prctl without pointers: orphans of the command's tree become our children.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let Supervised { pid, listener } = install::spawn_supervised(program, launch)?;
    // Measured here (dd bs=1, 200,000 notified calls, 8 runs each): 1.2-1.5 s with
    // synchronous wake-ups; 1.3-11 s with only the supervisor following the program's CPU.
    let synced = install::sync_wake_up(&listener);
    forward::install();
    let mut counts = Counts::new();
    let mut status = None;
    let mut groups = TgidCache::default();
    let mut interrupted = None;
    let mut signalled = std::collections::HashSet::new();
    let mut placement = Placement::new();
    loop {
        if let Some(sig) = forward::take() {
            interrupted = Some(sig);
            signalled.clear();
        }
        if let Some(sig) = interrupted {
            // The whole tree holds the filter and would keep the run going: each of
            // them gets the signal, as a terminal's ^C gives it to a foreground job,
            // and so does every process forked after it (a shell that had not started
            // its next command yet would wait for it for ever).
            for task in descendants(std::process::id() as libc::pid_t) {
                if signalled.insert(task) {
                    // SAFETY: kill(2) on a descendant of ours.
                    unsafe { libc::kill(task, sig) };
                }
            }
        }
        match install::receive(&listener, Duration::from_millis(50)) {
            Ok(Some(n)) => {
                if !synced {
                    placement.follow(n.pid);
                }
                let event = describe(policy, &n, groups.tgid(n.pid));
                if answer(&listener, &n, &event, on_call(&event))? {
                    *counts.entry((event.name.clone(), event.pid)).or_default() += 1;
                }
            }
            // Quiet for a moment (or a signal came): reap what ended. Not at every
            // notification, which would cost a wait4 each; the listener reports hang-up
            // only once the last holder of the filter is reaped, so this comes first.
            Ok(None) => reap(pid, &mut status),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(e),
        }
    }
    forward::uninstall();
    let status = match status {
        Some(s) => s,
        None => install::wait_child(pid)?,
    };
    // Whatever else ended last is reaped too.
    reap(pid, &mut None);
    Ok(ComplainRun { status, counts })
}

/// Gives `how` to notification `n` (of `event`); false when the call was gone.
fn answer(
    listener: &std::os::fd::OwnedFd,
    n: &Notification,
    event: &WouldBlock,
    how: Answer,
) -> io::Result<bool> {
    match how {
        Answer::Continue => install::respond_continue(listener, n.id),
        Answer::Fail(errno) => install::respond_error(listener, n.id, errno),
        Answer::Kill => {
            // SAFETY: kill(2) on a process of the supervised tree; the call never returns
            // to it, and the answer after finds it gone.
            unsafe { libc::kill(event.pid as libc::pid_t, libc::SIGKILL) };
            let _ = install::respond_error(listener, n.id, libc::ENOSYS);
            Ok(true)
        }
        Answer::KillAll => {
            for task in descendants(std::process::id() as libc::pid_t) {
                // SAFETY: kill(2) on a descendant of ours.
                unsafe { libc::kill(task, libc::SIGKILL) };
            }
            let _ = install::respond_error(listener, n.id, libc::ENOSYS);
            Ok(true)
        }
        Answer::Trap => {
            // SAFETY: tgkill(2) on the calling thread of the supervised tree.
            unsafe {
                libc::syscall(
                    libc::SYS_tgkill,
                    event.pid as libc::pid_t,
                    event.tid as libc::pid_t,
                    libc::SIGSYS,
                )
            };
            install::respond_error(listener, n.id, libc::ENOSYS)
        }
    }
}

/// Reaps every child that has ended (the command and the orphans we adopted), keeping
/// the command's status.
fn reap(command: libc::pid_t, status: &mut Option<i32>) {
    loop {
        let mut st = 0;
        // SAFETY: waiting for our own children with WNOHANG; `st` is a live local.
        let rc = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if rc <= 0 {
            return;
        }
        if rc == command {
            *status = Some(st);
        }
    }
}

/// Keeps the supervisor on the CPU of the task it answers, on kernels without synchronous
/// wake-ups (before 6.6): a notification's round trip costs several times more when the
/// two wake each other across CPUs. The supervisor moves, never the program; where it
/// runs is looked at every 64 notifications. It does not hold under load (the scheduler
/// moves the program away from the pinned supervisor).
struct Placement {
    allowed: Vec<usize>,
    count: u32,
    on: Option<usize>,
}

impl Placement {
    fn new() -> Placement {
        Placement {
            allowed: cpus::allowed(0),
            count: 0,
            on: None,
        }
    }

    fn follow(&mut self, tid: u32) {
        self.count = self.count.wrapping_add(1);
        if self.allowed.len() < 2 || self.count % 64 != 1 {
            return;
        }
        let Some(cpu) = cpus::last_cpu(tid as i32).filter(|c| self.allowed.contains(c)) else {
            return;
        };
        if self.on != Some(cpu) && cpus::restrict(0, &[cpu]).is_ok() {
            self.on = Some(cpu);
        }
    }
}

impl Drop for Placement {
    fn drop(&mut self) {
        if self.on.is_some() {
            let _ = cpus::restrict(0, &self.allowed);
        }
    }
}

/// Every process below `root` (children, their children...), from /proc's parent links.
fn descendants(root: libc::pid_t) -> Vec<libc::pid_t> {
    let mut parent_of = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<libc::pid_t>().ok())
            else {
                continue;
            };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // The field after the state, past the command name's closing parenthesis.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<libc::pid_t>().ok());
            if let Some(ppid) = ppid {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parent_of
                .iter()
                .filter(|&&(_, pp)| pp == parent)
                .map(|&(p, _)| p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// Thread ids to process ids (the notification names the thread).
#[derive(Default)]
struct TgidCache(std::collections::HashMap<u32, u32>);

impl TgidCache {
    fn tgid(&mut self, tid: u32) -> u32 {
        *self.0.entry(tid).or_insert_with(|| {
            std::fs::read_to_string(format!("/proc/{tid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("Tgid:"))
                        .and_then(|v| v.trim().parse().ok())
                })
                .unwrap_or(tid)
        })
    }
}

/// Passing the signals that would end the supervisor on to the command instead.
mod forward {
    use std::sync::atomic::{AtomicI32, Ordering};

    static PENDING: AtomicI32 = AtomicI32::new(0);
    const SIGNALS: [i32; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];
    /// `si_code` of a signal the kernel sent: from a terminal (^C, ^\, hang-up), it went
    /// to the whole foreground job, the command with it, which must not get it twice.
    const SI_KERNEL: i32 = 0x80;

    extern "C" fn on_signal(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
        if !info.is_null() && unsafe { (*info).si_code } == SI_KERNEL {
            return;
        }
        PENDING.store(sig, Ordering::SeqCst);
    }

    /// Catches the signals (without SA_RESTART, so the wait for a notification ends).
    pub fn install() {
        for sig in SIGNALS {
            // SAFETY: the handler only reads its siginfo and stores to an atomic.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_signal as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(sig, &sa, std::ptr::null_mut());
            }
        }
    }

    /// Restores their default actions.
    pub fn uninstall() {
        for sig in SIGNALS {
            // SAFETY: setting a disposition.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
    }

    /// The signal caught since the last call, if any.
    pub fn take() -> Option<i32> {
        match PENDING.swap(0, Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }
}

fn describe(policy: &Policy, n: &Notification, tgid: u32) -> WouldBlock {
    let nr = n.nr as u32;
    let arch = Arch::from_audit(n.arch, nr);
    let name = arch
        .and_then(|a| a.table().lookup_nr(nr))
        .map_or_else(|| format!("nr_{nr}"), |s| s.name.to_string());
    let action = match arch {
        Some(a) if policy.target_arches().contains(&a) => policy.evaluate(a, &name, &n.args),
        _ => Action::KillProcess,
    };
    WouldBlock {
        pid: tgid,
        tid: n.pid,
        arch,
        nr,
        name,
        action,
        args: n.args,
    }
}
