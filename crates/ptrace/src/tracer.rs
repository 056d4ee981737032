//! The ptrace stop state machine.

use crate::affinity;
use crate::interrupt::Interrupts;
use crate::mem::TaskMemory;
use crate::sys::{self, InfoOp, SyscallInfo, Waited};
use crate::{TraceError, interrupt, spawn};
use events::{
    CapturePlan, Event, EventKind, IdMap, NoCapture, SignalDelivery, Sink, SyscallEntry,
    SyscallExit, SyscallResult, Timestamp, cpus,
};
use std::ffi::OsString;
use std::io;
use std::sync::Arc;
use syscalls::Arch;

const SYSCALL_TRAP: i32 = libc::SIGTRAP | 0x80;

/// What to trace.
#[derive(Debug, Clone)]
pub enum Target {
    /// Start this command (argv\[0\] is looked up on PATH).
    Command(Vec<OsString>),
    /// Attach to these running processes.
    Attach(Vec<i32>),
}

/// How tracing ended, for the tracer's own exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The started command exited with this code.
    Exited(i32),
    /// The started command was killed by this signal.
    Killed(i32),
    /// The tracer was asked to stop by this signal and let go of its tracees.
    Interrupted(i32),
    /// Every attached process went away or was detached.
    Done,
}

/// Configures a [`Tracer`]; options are validated once here so the stop loop takes no
/// decisions about them.
pub struct TracerBuilder {
    follow_forks: bool,
    plan: Box<dyn CapturePlan>,
    select: Option<Box<dyn Fn(Arch, u32) -> bool>>,
    follow_cpu: bool,
    seccomp: Option<crate::seccomp::Filter>,
    cpu_times: bool,
    interrupts: Interrupts,
    kill_on_exit: bool,
    stdout: Option<std::os::fd::RawFd>,
}

impl Default for TracerBuilder {
    fn default() -> Self {
        TracerBuilder {
            follow_forks: false,
            plan: Box::new(NoCapture),
            select: None,
            follow_cpu: true,
            seccomp: None,
            cpu_times: false,
            interrupts: Interrupts::WhileWaiting,
            kill_on_exit: false,
            stdout: None,
        }
    }
}

impl TracerBuilder {
    /// A builder with strace's defaults: no -f, every syscall selected.
    pub fn new() -> TracerBuilder {
        TracerBuilder::default()
    }

    /// Follow fork, vfork, clone and threads (`-f`).
    pub fn follow_forks(mut self, yes: bool) -> Self {
        self.follow_forks = yes;
        self
    }

    /// Which tracee memory to capture for decoders.
    pub fn capture_plan(mut self, plan: Box<dyn CapturePlan>) -> Self {
        self.plan = plan;
        self
    }

    /// Only syscalls for which `select(arch, nr)` holds produce events (`-e trace=`).
    pub fn select(mut self, select: Box<dyn Fn(Arch, u32) -> bool>) -> Self {
        self.select = Some(select);
        self
    }

    /// Keep tracer and tracee on one CPU (default on): a ptrace stop costs several
    /// times more when they wake each other across CPUs. A started command is pinned to
    /// the tracer's CPU while it is single-threaded (its first fork or thread restores
    /// its affinity and its child's); otherwise the tracer moves to its tracee's CPU.
    pub fn follow_cpu(mut self, yes: bool) -> Self {
        self.follow_cpu = yes;
        self
    }

    /// Use strace's seccomp-bpf fast path for a started command: only the syscalls for
    /// which `selected(arch, nr)` holds stop the tracee, in each ABI it can call in (and
    /// every call of an ABI we do not know). Children are then always followed (their
    /// lines hidden without -f) and tracees are killed if the tracer dies. Fails, leaving
    /// the builder unchanged, when the filter exceeds the kernel's 4096 instructions.
    pub fn seccomp_bpf(
        &mut self,
        selected: &dyn Fn(Arch, u32) -> bool,
    ) -> Result<(), seccomp::CompileError> {
        // The affinity calls always stop: their answers must not show our pinning.
        let affinity = affinity::Numbers::new();
        let stops = |arch, nr| selected(arch, nr) || affinity.is_affinity(arch, nr);
        self.seccomp = Some(crate::seccomp::Filter::for_selection(&stops)?);
        Ok(())
    }

    /// Measure each syscall's system CPU time (strace's `-c` without `-w`); it costs the
    /// kernel a resource-usage sum at every stop, so it is off unless asked for.
    pub fn cpu_times(mut self, yes: bool) -> Self {
        self.cpu_times = yes;
        self
    }

    /// What SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE do to the tracer (strace's
    /// `-I`); set once the command is started, so the command never inherits them
    /// ignored.
    pub fn interrupts(mut self, mode: Interrupts) -> Self {
        self.interrupts = mode;
        self
    }

    /// Kill every tracee when the tracer exits, attached ones too (strace's
    /// `--kill-on-exit`, PTRACE_O_EXITKILL); a clean end (SIGINT...) kills them as well
    /// instead of detaching them.
    pub fn kill_on_exit(mut self, yes: bool) -> Self {
        self.kill_on_exit = yes;
        self
    }

    /// Give a started command `fd` as its stdout (a pipe the caller reads) instead of
    /// ours; the caller keeps `fd` open until the run ends.
    pub fn stdout(mut self, fd: std::os::fd::RawFd) -> Self {
        self.stdout = Some(fd);
        self
    }

    /// The configured tracer.
    pub fn build(self) -> Tracer {
        Tracer {
            cfg: self,
            tasks: IdMap::default(),
            child: None,
            outcome: Outcome::Done,
            last_tid: 0,
            early: Vec::new(),
            clone_nr: Arch::native().table().lookup_name("clone").map(|s| s.nr),
            affinity: affinity::Numbers::new(),
            pinned: None,
            pin_cpu: None,
            told: None,
            allowed: Vec::new(),
        }
    }
}

enum Pending {
    /// An entry that produced an event, with the task's system time at entry.
    Shown(Arc<SyscallEntry>, u64),
    /// An entry we do not report (hidden task or not selected); its number and first
    /// argument tell a clone's flags.
    Quiet(u32, u64),
}

struct Task {
    tgid: i32,
    pending: Option<Pending>,
    /// The started command before its execve: its lines are not shown (as strace).
    hidden: bool,
    /// Whether the user asked for this task (false for children without -f, which the
    /// seccomp-bpf mode follows only to keep their filter working).
    followed: bool,
    /// Pinned to the tracer's CPU (a single-threaded started command).
    pinned: bool,
    /// A child seen only to restore its affinity: let go at its first stop.
    release: bool,
    /// The affinity call it is in, to act on at the call's exit.
    affinity_call: Option<affinity::Pending>,
    /// In the started command's first execve: hidden again if it fails.
    check_exec: bool,
    /// Its first execve failed: its calls are hidden, its exit is still told.
    exec_failed: bool,
    /// The ABI of the task's latest syscall, for strace's personality notices.
    abi: Arch,
    /// Its ptrace options as last set (a new task starts with its parent's).
    opts: u32,
    /// Its options must be set to `opts` at its next stop (it was running when they
    /// changed).
    fix_options: bool,
}

impl Task {
    fn new(tgid: i32, hidden: bool, followed: bool) -> Task {
        Task {
            tgid,
            pending: None,
            hidden,
            followed,
            pinned: false,
            release: false,
            affinity_call: None,
            check_exec: false,
            exec_failed: false,
            abi: Arch::native(),
            opts: 0,
            fix_options: false,
        }
    }

    fn quiet(&self) -> bool {
        self.hidden || !self.followed
    }

    /// Gives task `tid` ptrace options `opts`: now if it is stopped, else at its next
    /// stop.
    fn want_options(&mut self, tid: i32, opts: u32) {
        self.opts = opts;
        self.fix_options = sys::set_options(tid, opts).is_err();
    }
}

/// Runs a trace: owns the tracees and drives them until they are gone or we are told
/// to stop.
pub struct Tracer {
    cfg: TracerBuilder,
    tasks: IdMap<i32, Task>,
    child: Option<i32>,
    outcome: Outcome,
    /// The task of the latest stop, whose CPU the tracer follows.
    last_tid: i32,
    /// First stops of new children that arrived before their parent's event.
    early: Vec<Waited>,
    /// The native clone(2) number, to read CLONE_THREAD from its flags.
    clone_nr: Option<u32>,
    /// The affinity calls' numbers, whose answers must not show our pinning.
    affinity: affinity::Numbers,
    /// The CPU the tracer is pinned to.
    pinned: Option<usize>,
    /// The CPU the started command (and its pinned children) were pinned to.
    pin_cpu: Option<usize>,
    /// The CPU the sink was last told the tracer is on.
    told: Option<usize>,
    /// The CPUs the tracer may use (its affinity at start).
    allowed: Vec<usize>,
}

fn is_stop_signal(sig: i32) -> bool {
    matches!(
        sig,
        libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
    )
}

fn proc_status_field(pid: i32, field: &str) -> Option<i32> {
    // Tgid and TracerPid are within the first few hundred bytes.
    let text = sys::read_proc_head::<1024>(&format!("/proc/{pid}/status"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().parse().ok())
}

/// The state letter of /proc/PID/stat (R, S, Z, ...); None when there is no such task.
pub fn proc_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

fn errno_of(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(0)
}

const EXEC_EVENTS: u32 = libc::PTRACE_O_TRACEEXEC as u32;

impl Tracer {
    /// The options to seize a task with. PTRACE_EVENT_EXEC stops (`exec_events`) are
    /// needed only where a thread other than the leader may call execve (whose id then
    /// changes to the leader's), and for the started command's first execve: a started
    /// command has them until that execve and again once it makes a second thread,
    /// attached processes always. A single-threaded process's execve shows in its
    /// syscall stops alone, one stop fewer per exec.
    fn options(&self, exec_events: bool) -> u32 {
        self.options_with(exec_events, self.pinning())
    }

    /// Whether a started command is (still) pinned, so forks must be seen to unpin.
    fn pinning(&self) -> bool {
        self.tasks.values().any(|t| t.pinned)
            || (self.cfg.follow_cpu && self.child.is_some() && self.tasks.is_empty())
    }

    /// The options a task keeps once nothing is pinned any more (but exec events).
    fn base_options(&self) -> u32 {
        self.options_with(false, false)
    }

    /// The options for these exec events; fork events also while `pinning`.
    fn options_with(&self, exec_events: bool, pinning: bool) -> u32 {
        let mut opts = libc::PTRACE_O_TRACESYSGOOD;
        if exec_events {
            opts |= libc::PTRACE_O_TRACEEXEC;
        }
        if self.seccomp_mode() {
            opts |= libc::PTRACE_O_TRACESECCOMP | libc::PTRACE_O_EXITKILL;
        }
        if self.cfg.kill_on_exit {
            opts |= libc::PTRACE_O_EXITKILL;
        }
        if self.follows_children() || pinning {
            opts |=
                libc::PTRACE_O_TRACEFORK | libc::PTRACE_O_TRACEVFORK | libc::PTRACE_O_TRACECLONE;
        }
        opts as u32
    }

    /// Pins the just-started command and the tracer to the tracer's CPU.
    fn pin_child(&mut self, pid: i32) {
        if !self.cfg.follow_cpu {
            return;
        }
        let allowed = cpus::allowed(0);
        let Some(cpu) = sys::current_cpu().filter(|c| allowed.len() > 1 && allowed.contains(c))
        else {
            return;
        };
        if cpus::restrict(pid, &[cpu]).is_ok() && cpus::restrict(0, &[cpu]).is_ok() {
            self.pinned = Some(cpu);
            self.pin_cpu = Some(cpu);
            self.allowed = allowed;
            if let Some(task) = self.tasks.get_mut(&pid) {
                task.pinned = true;
            }
        }
    }

    /// A pinned task forked or made a thread. A followed new process stays on the
    /// tracer's CPU with its parent (each process is still single-threaded); a new
    /// thread ends the pinning of its whole thread group; a child nobody follows gets its
    /// affinity back and is let go at its first stop.
    fn unpin_after_fork(&mut self, parent: i32, child: i32, event: i32) {
        if !self.still_pinned(parent) {
            // Placed by someone we do not see (`taskset -p` from an untraced process):
            // the child inherited that mask, which is the one it would have had.
            if !self.follows_children()
                && let Some(c) = self.tasks.get_mut(&child)
            {
                c.release = true;
            }
            return;
        }
        let Some(task) = self.tasks.get(&parent) else {
            return;
        };
        let tgid = task.tgid;
        let followed = self.follows_children();
        let is_thread = self.tasks.get(&child).is_some_and(|c| c.tgid == tgid);
        if event != libc::PTRACE_EVENT_CLONE || !is_thread {
            if followed {
                if let Some(c) = self.tasks.get_mut(&child) {
                    c.pinned = true;
                }
            } else {
                let _ = cpus::restrict(child, &self.allowed);
                if let Some(c) = self.tasks.get_mut(&child) {
                    c.release = true;
                }
            }
            return;
        }
        // Now multi-threaded: every thread of the group gets its affinity back.
        let group: Vec<i32> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.tgid == tgid)
            .map(|(&tid, _)| tid)
            .collect();
        for tid in group {
            let _ = cpus::restrict(tid, &self.allowed);
            if let Some(t) = self.tasks.get_mut(&tid) {
                t.pinned = false;
                if !followed {
                    t.release = tid == child;
                }
            }
        }
        let base = self.base_options();
        if !followed
            && !self.tasks.values().any(|t| t.pinned)
            && let Some(task) = self.tasks.get_mut(&parent)
        {
            task.want_options(parent, base | (task.opts & EXEC_EVENTS));
        }
    }

    /// Whether `tid` is pinned and still on our CPU alone. A process we do not trace may
    /// have set its affinity (`taskset -p`): then the mask is its own from now on and
    /// the task is never pinned again.
    fn still_pinned(&mut self, tid: i32) -> bool {
        let Some(task) = self.tasks.get_mut(&tid) else {
            return false;
        };
        if !task.pinned {
            return false;
        }
        let ours = self.pin_cpu.is_some_and(|c| cpus::allowed(tid) == [c]);
        task.pinned = ours;
        ours
    }

    /// Whether new tasks are traced: with -f, or to keep the seccomp-bpf filter working.
    fn follows_children(&self) -> bool {
        self.cfg.follow_forks || self.seccomp_mode()
    }

    fn seccomp_mode(&self) -> bool {
        self.cfg.seccomp.is_some() && self.child.is_some()
    }

    /// Starts or attaches to `target` and traces until every tracee is gone, or a
    /// SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGPIPE asks us to stop (then attached processes
    /// are detached and keep running; a started command gets that signal, as strace does).
    pub fn run(mut self, target: Target, sink: &mut dyn Sink) -> Result<Outcome, TraceError> {
        interrupt::install();
        sys::sync_clocks();
        match target {
            Target::Command(argv) => {
                self.start(&argv)?;
                if let Some(pid) = self.child {
                    self.emit(sink, pid, sys::now(), EventKind::Started)?;
                }
            }
            Target::Attach(pids) => self.attach(&pids, sink)?,
        }
        interrupt::apply(self.cfg.interrupts);
        if self.cfg.follow_cpu && self.allowed.is_empty() {
            self.allowed = cpus::allowed(0);
        }
        let result = self.event_loop(sink);
        interrupt::arm_tick(0);
        result?;
        sink.finish().map_err(TraceError::Output)?;
        Ok(self.outcome)
    }

    fn start(&mut self, argv: &[OsString]) -> Result<(), TraceError> {
        let program = argv
            .first()
            .ok_or_else(|| TraceError::CommandNotFound(String::new()))?;
        let path = spawn::resolve(program)?;
        let pid = spawn::spawn_stopped(&path, argv, self.cfg.seccomp.as_ref(), self.cfg.stdout)?;
        self.child = Some(pid);
        // Exec events until its first execve, which may be no syscall stop (see
        // PTRACE_EVENT_EXEC in on_event_stop).
        let opts = self.options(true);
        if let Err(error) = sys::seize(pid, opts) {
            // It has not run the command yet (it waits stopped before execve): end it
            // rather than leave it stopped for ever.
            let tracer = proc_status_field(pid, "TracerPid:").filter(|&t| t != 0);
            let _ = sys::kill(pid, libc::SIGKILL);
            let _ = sys::wait(pid, false, false);
            self.child = None;
            return Err(match tracer {
                // Our own tracer (strace -f on sysfence) took the child first.
                Some(tracer) => TraceError::AlreadyTraced { pid, tracer },
                None => TraceError::Ptrace {
                    op: "SEIZE",
                    pid,
                    error,
                },
            });
        }
        // The child is in a plain group-stop; wake it so it runs into execve traced.
        let _ = sys::kill(pid, libc::SIGCONT);
        let mut task = Task::new(pid, true, true);
        task.opts = opts;
        self.tasks.insert(pid, task);
        self.pin_child(pid);
        Ok(())
    }

    fn attach(&mut self, pids: &[i32], sink: &mut dyn Sink) -> Result<(), TraceError> {
        for &pid in pids {
            if pid <= 0 || !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                return Err(TraceError::NoSuchProcess(pid));
            }
            if proc_state(pid) == Some('Z') {
                return Err(TraceError::Exited(pid));
            }
            if let Some(tracer) = proc_status_field(pid, "TracerPid:").filter(|&t| t != 0) {
                return Err(TraceError::AlreadyTraced { pid, tracer });
            }
            if pid as u32 == std::process::id() {
                return Err(TraceError::Permission {
                    pid,
                    error: io::Error::other("a tracer cannot trace itself"),
                });
            }
        }
        for &pid in pids {
            let tids = if self.cfg.follow_forks {
                list_threads(pid)
            } else {
                vec![pid]
            };
            let mut threads = 0;
            for tid in tids {
                if self.tasks.contains_key(&tid) {
                    continue;
                }
                let opts = self.options(true);
                match sys::seize(tid, opts) {
                    Ok(()) => {}
                    Err(e) if errno_of(&e) == libc::ESRCH && tid != pid => continue,
                    Err(e) if errno_of(&e) == libc::ESRCH => {
                        return Err(TraceError::NoSuchProcess(pid));
                    }
                    Err(e) if errno_of(&e) == libc::EPERM => {
                        return Err(match proc_status_field(pid, "TracerPid:") {
                            Some(tracer) if tracer != 0 => {
                                TraceError::AlreadyTraced { pid, tracer }
                            }
                            _ => TraceError::Permission { pid, error: e },
                        });
                    }
                    Err(error) => {
                        return Err(TraceError::Ptrace {
                            op: "SEIZE",
                            pid: tid,
                            error,
                        });
                    }
                }
                let mut task = Task::new(pid, false, true);
                task.opts = opts;
                self.tasks.insert(tid, task);
                let _ = sys::interrupt(tid);
                threads += 1;
            }
            self.emit(sink, pid, sys::now(), EventKind::Attached { threads })?;
        }
        Ok(())
    }

    /// Waits for stops and handles them. Output is flushed and the CPU placement
    /// re-checked on a 20 ms tick rather than at every stop, which would cost a
    /// syscall per stop; a tick that fires while we block in wait ends the wait.
    fn event_loop(&mut self, sink: &mut dyn Sink) -> Result<(), TraceError> {
        self.follow_tracee_cpu(sink);
        let mut armed = false;
        loop {
            if let Some(sig) = interrupt::pending() {
                self.let_go(sig, sink)?;
                self.outcome = Outcome::Interrupted(sig);
                return Ok(());
            }
            if interrupt::tick_due() {
                armed = false;
                sys::sync_clocks();
                self.adopt_early(sink)?;
                sink.idle().map_err(TraceError::Output)?;
                self.follow_tracee_cpu(sink);
            }
            if self.tasks.is_empty() && self.early.is_empty() {
                return Ok(());
            }
            let waited = match sys::wait(-1, false, self.cfg.cpu_times) {
                Ok(Some(w)) => w,
                Ok(None) => continue,
                Err(e) if errno_of(&e) == libc::EINTR => continue,
                Err(_) => return Ok(()),
            };
            self.last_tid = waited.pid;
            self.handle(waited, sink)?;
            if !armed {
                interrupt::arm_tick(20);
                armed = true;
            }
        }
    }

    /// Moves the tracer onto the CPU the latest-stopped tracee ran on, and tells the
    /// sink where the tracer is (so that its own thread keeps off that CPU).
    fn follow_tracee_cpu(&mut self, sink: &mut dyn Sink) {
        if self.allowed.len() < 2 {
            return;
        }
        let tid = if self.tasks.contains_key(&self.last_tid) {
            Some(self.last_tid)
        } else {
            self.tasks.keys().next().copied()
        };
        let cpu = tid
            .and_then(cpus::last_cpu)
            .filter(|c| self.allowed.contains(c));
        if let Some(cpu) = cpu.filter(|&c| self.pinned != Some(c))
            && cpus::restrict(0, &[cpu]).is_ok()
        {
            self.pinned = Some(cpu);
        }
        if let Some(cpu) = self.pinned.filter(|&c| self.told != Some(c)) {
            self.told = Some(cpu);
            sink.source_cpu(cpu);
        }
    }

    fn emit(
        &self,
        sink: &mut dyn Sink,
        tid: i32,
        ts: Timestamp,
        kind: EventKind,
    ) -> Result<(), TraceError> {
        let pid = self.tasks.get(&tid).map_or(tid, |t| t.tgid);
        sink.take(Event { ts, pid, tid, kind })
            .map_err(TraceError::Output)
    }

    fn handle(&mut self, w: Waited, sink: &mut dyn Sink) -> Result<(), TraceError> {
        let (pid, status) = (w.pid, w.status);
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            return self.on_death(pid, status, sink);
        }
        if !libc::WIFSTOPPED(status) {
            return Ok(());
        }
        if !self.tasks.contains_key(&pid) {
            // A new child whose first stop arrived before its parent's fork event: keep
            // it stopped until the event says whose thread it is (or the next tick).
            self.early.push(w);
            return Ok(());
        }
        let sig = libc::WSTOPSIG(status);
        let event = (status >> 16) & 0xffff;
        if let Some(task) = self.tasks.get_mut(&pid).filter(|t| t.fix_options) {
            task.want_options(pid, task.opts);
        }
        if self.tasks.get(&pid).is_some_and(|t| t.release) {
            // Followed only to restore its affinity: let it run untraced.
            let pass = if event == 0 && sig != SYSCALL_TRAP {
                sig
            } else {
                0
            };
            let _ = sys::detach(pid, pass);
            self.tasks.remove(&pid);
            return Ok(());
        }
        if sig == SYSCALL_TRAP {
            self.on_syscall_stop(pid, w.system_ns, sink)?;
            self.resume(pid, 0);
        } else if event != 0 {
            self.on_event_stop(pid, event, sig, w.system_ns, sink)?;
        } else {
            self.on_signal(pid, sig, sink)?;
        }
        Ok(())
    }

    /// Handles the early first stops of children whose parent's event never came.
    fn adopt_early(&mut self, sink: &mut dyn Sink) -> Result<(), TraceError> {
        for w in std::mem::take(&mut self.early) {
            let tgid = proc_status_field(w.pid, "Tgid:").unwrap_or(w.pid);
            self.adopt(w.pid, tgid, tgid);
            self.announce(w.pid, sink)?;
            self.handle(w, sink)?;
        }
        Ok(())
    }

    /// The thread group of a child `parent` just created with a clone-like call.
    fn child_tgid(&self, parent: i32, child: i32, event: i32) -> i32 {
        if event != libc::PTRACE_EVENT_CLONE {
            return child;
        }
        let parent_task = self.tasks.get(&parent);
        let (nr, flags) = match parent_task.and_then(|t| t.pending.as_ref()) {
            Some(Pending::Shown(e, _)) => (e.nr, e.args[0]),
            Some(Pending::Quiet(nr, a0)) => (*nr, *a0),
            None => (u32::MAX, 0),
        };
        if Some(nr) == self.clone_nr {
            if flags & libc::CLONE_THREAD as u64 != 0 {
                parent_task.map_or(child, |t| t.tgid)
            } else {
                child
            }
        } else {
            proc_status_field(child, "Tgid:").unwrap_or(child)
        }
    }

    /// Reports a followed new task as attached (strace's "Process N attached").
    fn announce(&self, tid: i32, sink: &mut dyn Sink) -> Result<(), TraceError> {
        if self.tasks.get(&tid).is_some_and(|t| t.followed) {
            self.emit(sink, tid, sys::now(), EventKind::Attached { threads: 1 })?;
        }
        Ok(())
    }

    /// Starts tracking the new task `pid` of group `tgid`, made by `parent` (whose ABI it
    /// starts in, as strace's new tasks take the current personality).
    fn adopt(&mut self, pid: i32, tgid: i32, parent: i32) {
        let mut task = Task::new(tgid, false, self.cfg.follow_forks);
        if let Some(p) = self.tasks.get(&parent) {
            task.abi = p.abi;
            task.opts = p.opts;
        }
        let traced_thread = tgid != pid && self.follows_children();
        if traced_thread && task.opts & EXEC_EVENTS == 0 {
            // The group's second thread: from now on an execve may come from a thread
            // that is not the leader, which only PTRACE_EVENT_EXEC reports. The new
            // thread started with its parent's options, so both get exec events.
            task.opts |= EXEC_EVENTS;
            task.fix_options = true;
            self.exec_events_for(tgid);
        }
        self.tasks.insert(pid, task);
    }

    /// Turns on PTRACE_EVENT_EXEC for every traced thread of group `tgid`: at once for
    /// those stopped (the parent at its clone event), at their next stop for the others.
    fn exec_events_for(&mut self, tgid: i32) {
        for (&tid, task) in self.tasks.iter_mut() {
            if task.tgid != tgid || task.opts & EXEC_EVENTS != 0 {
                continue;
            }
            task.want_options(tid, task.opts | EXEC_EVENTS);
        }
    }

    /// Resumes a task: to its next syscall stop, or, in seccomp-bpf mode, to its next
    /// filter or event stop unless it is inside a traced syscall.
    fn resume(&self, pid: i32, sig: i32) {
        let in_syscall = self.tasks.get(&pid).is_some_and(|t| t.pending.is_some());
        // ESRCH means the task died meanwhile; its death is reported by wait.
        let _ = if self.seccomp_mode() && !in_syscall {
            sys::resume_cont(pid, sig)
        } else {
            sys::resume_syscall(pid, sig)
        };
    }

    fn on_death(&mut self, pid: i32, status: i32, sink: &mut dyn Sink) -> Result<(), TraceError> {
        let kind = if libc::WIFEXITED(status) {
            EventKind::Exited {
                code: libc::WEXITSTATUS(status),
            }
        } else {
            EventKind::Killed {
                signal: libc::WTERMSIG(status),
                core_dumped: libc::WCOREDUMP(status),
            }
        };
        if Some(pid) == self.child {
            self.outcome = match kind {
                EventKind::Exited { code } => Outcome::Exited(code),
                _ => Outcome::Killed(libc::WTERMSIG(status)),
            };
            self.child = None;
        }
        let now = sys::now();
        let hidden = self
            .tasks
            .get(&pid)
            .is_none_or(|t| t.quiet() && !t.exec_failed);
        self.end_pending(pid, now, sink)?;
        if !hidden {
            self.emit(sink, pid, now, kind)?;
        }
        self.tasks.remove(&pid);
        Ok(())
    }

    /// Reports a syscall the task will never return from.
    fn end_pending(
        &mut self,
        tid: i32,
        ts: Timestamp,
        sink: &mut dyn Sink,
    ) -> Result<(), TraceError> {
        self.cut_pending(tid, ts, false, sink)
    }

    /// Reports the syscall `tid` is inside as never returning: it dies, is superseded, or
    /// (`detached`) the tracer lets go of it.
    fn cut_pending(
        &mut self,
        tid: i32,
        ts: Timestamp,
        detached: bool,
        sink: &mut dyn Sink,
    ) -> Result<(), TraceError> {
        let pending = self.tasks.get_mut(&tid).and_then(|t| t.pending.take());
        if let Some(Pending::Shown(entry, _)) = pending {
            let kind = EventKind::SyscallExit(SyscallExit {
                entry,
                result: None,
                mem: Vec::new(),
                system_ns: None,
                detached,
            });
            self.emit(sink, tid, ts, kind)?;
        }
        Ok(())
    }

    fn on_syscall_stop(
        &mut self,
        pid: i32,
        system_ns: u64,
        sink: &mut dyn Sink,
    ) -> Result<(), TraceError> {
        let info = match sys::syscall_info(pid) {
            Ok(info) => info,
            Err(_) => return Ok(()),
        };
        match info.op {
            InfoOp::Entry | InfoOp::Seccomp => self.on_entry(pid, &info, system_ns, sink),
            InfoOp::Exit => self.on_exit(pid, &info, system_ns, sink),
            InfoOp::None => Ok(()),
        }
    }

    fn on_entry(
        &mut self,
        pid: i32,
        info: &SyscallInfo,
        system_ns: u64,
        sink: &mut dyn Sink,
    ) -> Result<(), TraceError> {
        let nr = info.nr as u32;
        let arch = Arch::from_audit(info.arch, nr).unwrap_or(Arch::native());
        let Some(task) = self.tasks.get_mut(&pid) else {
            return Ok(());
        };
        if task.hidden {
            let name = arch.table().lookup_nr(nr).map(|s| s.name);
            if matches!(name, Some("execve" | "execveat")) {
                // The first exec shows; if it fails, the log is hidden again (the
                // child's own exit after it is ours, not the command's), as strace's.
                task.hidden = false;
                task.check_exec = true;
            }
        }
        let abi_changed = task.abi != arch;
        task.abi = arch;
        if abi_changed && !task.quiet() {
            // Noticed at every stop, selected call or not, as strace does.
            self.emit(sink, pid, sys::now(), EventKind::AbiChanged { arch })?;
        }
        let Some(task) = self.tasks.get_mut(&pid) else {
            return Ok(());
        };
        // A compat call's arguments are what the kernel reads: the registers' low halves
        // (x32's upper halves may hold anything), as strace shows them.
        let args = if arch.is_compat_call(nr) {
            info.args.map(|a| a as u32 as u64)
        } else {
            info.args
        };
        // i386's socketcall is the call it makes, as strace tells it: that call's number
        // and the words of its argument array.
        let (nr, args) = socket_sub_call(pid, arch, nr, args).unwrap_or((nr, args));
        if let Some(call) = self.affinity.call(arch, nr) {
            task.affinity_call = Some(affinity::Pending {
                call,
                target: args[0] as i32,
                mask: args[2],
            });
        }
        let selected = self.cfg.select.as_ref().is_none_or(|f| f(arch, nr));
        if task.quiet() || !selected {
            task.pending = Some(Pending::Quiet(nr, args[0]));
            return Ok(());
        }
        let ts = sys::now();
        let mut entry = SyscallEntry {
            arch,
            nr,
            args,
            ip: info.ip,
            sp: info.sp,
            mem: Vec::new(),
            ts,
        };
        entry.mem = self.cfg.plan.at_entry(&entry, &mut TaskMemory::new(pid));
        let entry = Arc::new(entry);
        task.pending = Some(Pending::Shown(entry.clone(), system_ns));
        self.emit(sink, pid, ts, EventKind::SyscallEnter(entry))
    }

    fn on_exit(
        &mut self,
        pid: i32,
        info: &SyscallInfo,
        system_ns: u64,
        sink: &mut dyn Sink,
    ) -> Result<(), TraceError> {
        let Some(task) = self.tasks.get_mut(&pid) else {
            return Ok(());
        };
        if std::mem::take(&mut task.check_exec) && info.is_error {
            task.hidden = true;
            task.exec_failed = true;
        }
        if let Some(call) = task.affinity_call.take() {
            self.on_affinity_exit(pid, call, info);
        }
        let Some(task) = self.tasks.get_mut(&pid) else {
            return Ok(());
        };
        let Some(Pending::Shown(entry, system_at_entry)) = task.pending.take() else {
            return Ok(());
        };
        let ts = sys::now();
        let result = SyscallResult {
            rval: info.rval,
            is_error: info.is_error,
        };
        let mem = self
            .cfg
            .plan
            .at_exit(&entry, result, &mut TaskMemory::new(pid));
        let kind = EventKind::SyscallExit(SyscallExit {
            entry,
            result: Some(result),
            mem,
            system_ns: Some(system_ns.saturating_sub(system_at_entry)),
            detached: false,
        });
        self.emit(sink, pid, ts, kind)
    }

    /// At the exit of an affinity call: a pinned task's sched_getaffinity answers the mask
    /// it had before we pinned it; a successful sched_setaffinity ends its target's
    /// pinning for good (the kernel gave it exactly what it asked for).
    fn on_affinity_exit(&mut self, pid: i32, call: affinity::Pending, info: &SyscallInfo) {
        let target = if call.target == 0 { pid } else { call.target };
        if info.is_error {
            return;
        }
        match call.call {
            affinity::Call::Get => {
                if self.still_pinned(target) && info.rval > 0 && !self.allowed.is_empty() {
                    let mask = affinity::mask_bytes(&self.allowed);
                    let n = (info.rval as usize).min(mask.len());
                    let _ = sys::write_memory(pid, call.mask, &mask[..n]);
                }
            }
            affinity::Call::Set => {
                // Never pinned again: only the started command and children of pinned
                // tasks are pinned, and its mask is its own now (not restored either).
                if let Some(t) = self.tasks.get_mut(&target) {
                    t.pinned = false;
                }
            }
        }
    }

    fn on_event_stop(
        &mut self,
        pid: i32,
        event: i32,
        sig: i32,
        system_ns: u64,
        sink: &mut dyn Sink,
    ) -> Result<(), TraceError> {
        match event {
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                if let Ok(new) = sys::event_msg(pid) {
                    let new = new as i32;
                    if !self.tasks.contains_key(&new) {
                        let tgid = self.child_tgid(pid, new, event);
                        self.adopt(new, tgid, pid);
                        self.unpin_after_fork(pid, new, event);
                        self.announce(new, sink)?;
                    }
                    if let Some(i) = self.early.iter().position(|w| w.pid == new) {
                        let w = self.early.swap_remove(i);
                        self.handle(w, sink)?;
                    }
                }
                self.resume(pid, 0);
            }
            libc::PTRACE_EVENT_EXEC => {
                let old = sys::event_msg(pid).map_or(pid, |m| m as i32);
                if old != pid {
                    self.supersede(pid, old, sink)?;
                }
                let tgid = self.tasks.get(&pid).map_or(pid, |t| t.tgid);
                let alone = self.tasks.values().filter(|t| t.tgid == tgid).count() == 1;
                if let Some(task) = self.tasks.get_mut(&pid) {
                    if alone {
                        // A single thread needs no exec events (the started command has
                        // them for its own execve, which may be no syscall stop under
                        // seccomp-bpf with execve unselected: its lines show from here).
                        task.want_options(pid, task.opts & !EXEC_EVENTS);
                    }
                    task.hidden = false;
                }
                self.resume(pid, 0);
            }
            libc::PTRACE_EVENT_SECCOMP => {
                self.on_syscall_stop(pid, system_ns, sink)?;
                self.resume(pid, 0);
            }
            sys::EVENT_STOP if is_stop_signal(sig) => {
                let hidden = self
                    .tasks
                    .get(&pid)
                    .is_none_or(|t| t.quiet() && !t.exec_failed);
                if !hidden {
                    self.emit(sink, pid, sys::now(), EventKind::GroupStop { signal: sig })?;
                }
                let _ = sys::listen(pid);
            }
            _ => self.resume(pid, 0),
        }
        Ok(())
    }

    /// A non-leader thread `old` of `leader`'s group finished execve: it now has the
    /// leader's id, and the leader is gone without a death report.
    fn supersede(&mut self, leader: i32, old: i32, sink: &mut dyn Sink) -> Result<(), TraceError> {
        let now = sys::now();
        self.end_pending(leader, now, sink)?;
        let moved = self.tasks.remove(&old);
        if let Some(task) = moved {
            self.tasks.insert(leader, task);
        }
        if self.tasks.get(&leader).is_some_and(|t| t.followed) {
            self.emit(sink, leader, now, EventKind::Superseded { old_tid: old })?;
        }
        Ok(())
    }

    fn on_signal(&mut self, pid: i32, sig: i32, sink: &mut dyn Sink) -> Result<(), TraceError> {
        let hidden = self
            .tasks
            .get(&pid)
            .is_none_or(|t| t.quiet() && !t.exec_failed);
        if !hidden {
            let kind = EventKind::Signal(SignalDelivery {
                signo: sig,
                siginfo: sys::siginfo(pid).ok(),
            });
            self.emit(sink, pid, sys::now(), kind)?;
        }
        self.resume(pid, sig);
        Ok(())
    }

    /// Detaches from every tracee without losing a pending signal; the started command
    /// first gets `sig`, as strace does.
    fn let_go(&mut self, sig: i32, sink: &mut dyn Sink) -> Result<(), TraceError> {
        self.adopt_early(sink)?;
        if let Some(child) = self.child {
            let _ = sys::kill(child, libc::SIGCONT);
            let _ = sys::kill(child, sig);
        }
        if self.seccomp_mode() || self.cfg.kill_on_exit {
            // Detached tasks would keep a filter whose SECCOMP_RET_TRACE fails their
            // calls with ENOSYS: leave them traced, and PTRACE_O_EXITKILL ends the tree
            // when we exit, as strace's --seccomp-bpf (--kill-on-exit) does.
            return Ok(());
        }
        // Leaders before their threads, in the order strace tells them.
        let mut tids: Vec<(i32, i32)> = self.tasks.iter().map(|(&tid, t)| (t.tgid, tid)).collect();
        tids.sort_by_key(|&(tgid, tid)| (tgid, tid != tgid, tid));
        for (_, tid) in tids {
            self.detach_one(tid, sink)?;
        }
        Ok(())
    }

    fn detach_one(&mut self, tid: i32, sink: &mut dyn Sink) -> Result<(), TraceError> {
        let now = sys::now();
        let mut gone = false;
        if self.still_pinned(tid) {
            // It runs on without us: give it its CPUs back.
            let _ = cpus::restrict(tid, &self.allowed);
        }
        // Already in a ptrace-stop (reported or not): detach at once.
        if sys::detach(tid, 0).is_err() {
            gone = sys::interrupt(tid).is_err();
            while !gone {
                match sys::wait(tid, false, false) {
                    Ok(Some(w)) => {
                        let st = w.status;
                        if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
                            self.on_death(tid, st, sink)?;
                            return Ok(());
                        }
                        let sig = libc::WSTOPSIG(st);
                        let event = (st >> 16) & 0xffff;
                        let pass = if event == 0 && sig != SYSCALL_TRAP {
                            sig
                        } else {
                            0
                        };
                        gone = sys::detach(tid, pass).is_err();
                        break;
                    }
                    Err(e) if errno_of(&e) == libc::EINTR => continue,
                    _ => {
                        gone = true;
                    }
                }
            }
        }
        self.cut_pending(tid, now, !gone, sink)?;
        // Every thread's detach is told, as strace tells it.
        if !gone && self.tasks.get(&tid).is_some_and(|t| !t.quiet()) {
            self.emit(sink, tid, now, EventKind::Detached)?;
        }
        self.tasks.remove(&tid);
        Ok(())
    }
}

fn list_threads(pid: i32) -> Vec<i32> {
    let mut tids: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    tids.sort_unstable();
    if let Some(i) = tids.iter().position(|&t| t == pid) {
        tids.swap(0, i);
    } else {
        tids.insert(0, pid);
    }
    tids
}

/// The call an i386 `socketcall(call, args)` makes: its i386 number and arguments (the
/// words at `args`). None for any other call, for a sub-call i386 has no number of its
/// own for (accept, send, recv), and when the array cannot be read: it stays socketcall.
fn socket_sub_call(pid: i32, arch: Arch, nr: u32, args: [u64; 6]) -> Option<(u32, [u64; 6])> {
    use events::MemReader;
    if arch != Arch::I386 || nr != syscalls::multiplex::SOCKETCALL {
        return None;
    }
    let (name, nargs) = syscalls::multiplex::socket_call(args[0] as u32)?;
    let sub = arch.table().lookup_name(name)?.nr;
    let len = nargs as usize * 4;
    let events::Mem::Bytes {
        bytes,
        complete: true,
    } = TaskMemory::new(pid).read_bytes(args[1], len)
    else {
        return None;
    };
    let mut words = [0u64; 6];
    for (word, b) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *word = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    }
    Some((sub, words))
}
