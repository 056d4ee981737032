//! `sysfence trace --backend ebpf`: the probes of `sysfence watch` as the event source of
//! trace's sinks (strace text, JSON Lines, `-c`). The program never stops: a command is
//! started stopped before its execve, the probes are attached with it (or its tree, with
//! -f) in the kernel's scope, and it is let go; each call arrives whole at its exit.

use super::trace_args::Settings;
use super::watch::{Clock, stop, syscall_exit};
use crate::output::diag;
use anyhow::{Result, bail};
use ebpf::{Lifecycle, Record, Scope, Watcher};
use events::{Event, EventKind, SignalDelivery, Sink};
use ptrace::Outcome;
use render::SummarySink;
use render::decode::Decoder;
use render::select::SyscallSet;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use syscalls::Arch;

/// What the traced tasks are, as the loop follows them.
struct Tasks {
    /// The command sysfence started (None with -p).
    root: Option<i32>,
    /// The root's calls are shown from its first execve on (before it, sysfence's own
    /// code runs in the child), as strace shows them.
    root_execed: bool,
    /// Threads traced and not yet exited.
    live: HashSet<i32>,
    /// -f: new children and threads join.
    follow: bool,
    /// The new image of a thread whose execve has not returned yet: its record comes
    /// first and holds what argv and envp pointed to.
    execs: std::collections::HashMap<i32, Box<ebpf::ExecEvent>>,
    /// Leaders that have exited while their threads run on (-f): a tracer sees a
    /// leader end when its whole process has, with the process's status.
    ended_leaders: HashSet<i32>,
}

/// What to trace with the probes.
pub(super) struct Request<'a> {
    /// The command to start (when no pids).
    pub command: &'a [std::ffi::OsString],
    /// Running processes (-p).
    pub pids: &'a [i32],
    /// -f: children and threads too.
    pub follow: bool,
    /// -e trace=: the calls (None: all).
    pub trace_set: Option<Arc<SyscallSet>>,
    /// The started command's stdout, if not ours.
    pub stdout: Option<std::os::fd::RawFd>,
    /// Whether anything reads the calls' times (-t, -r, -T, -C, --json, --rules).
    pub timed: bool,
}

impl<'a> Request<'a> {
    /// The options that need ptrace, refused before anything is opened or started.
    pub(super) fn refuse(settings: &Settings) -> Result<()> {
        if settings.kill_on_exit {
            bail!("--kill-on-exit needs --backend ptrace: the eBPF probes do not hold the tracees");
        }
        // (-c prints no calls: -i does nothing there, as strace warns.)
        if settings.ip && !settings.summary_only {
            bail!("-i needs --backend ptrace: the eBPF probes do not read the instruction pointer");
        }
        Ok(())
    }

    /// `trace`'s settings as a request; the options the probes cannot honour are refused
    /// or said to do nothing.
    pub(super) fn of_trace(settings: &'a Settings) -> Result<Request<'a>> {
        Self::refuse(settings)?;
        if settings.seccomp_bpf {
            diag!("sysfence: --seccomp-bpf does nothing with --backend ebpf: nothing stops");
        }
        if settings.decode_fds > 0 {
            // /proc read after the call would name what a descriptor is then, not what
            // it was during the call: nothing is better than a wrong path.
            diag!(
                "sysfence: -y prints no paths with --backend ebpf: the probes do not read them (use --backend ptrace)"
            );
        }
        if !settings.paths.is_empty() {
            diag!(
                "sysfence: -P selects only the calls that name the path with --backend ebpf: the probes do not read what a descriptor is (use --backend ptrace for the calls on its descriptors too)"
            );
        }
        Ok(Request {
            command: &settings.command,
            pids: &settings.pids,
            follow: settings.follow,
            trace_set: settings.trace_set.clone(),
            stdout: None,
            timed: !matches!(settings.time, render::TimeFormat::None)
                || settings.relative.is_some()
                || settings.durations.is_some()
                || settings.summary_only
                || settings.summary_too
                || settings.json
                || !settings.rules.is_empty(),
        })
    }
}

/// Traces what `req` names into `sink` until it is gone (or a signal ends the trace);
/// the outcome as the ptrace backend gives it. With `counted` (-c alone), the calls are
/// counted in the kernel and handed to it at the end instead of being sent one by one.
pub(super) fn run(
    req: &Request,
    decoder: &Decoder,
    sink: &mut dyn Sink,
    counted: Option<&mut dyn Counted>,
) -> Result<Outcome> {
    stop::install();
    let root = if req.pids.is_empty() {
        Some(ptrace::start_stopped(req.command, req.stdout)?)
    } else {
        for &pid in req.pids {
            // As the ptrace backend tells it (strace's attach fails on a zombie).
            match ptrace::proc_state(pid) {
                None => bail!("{}", ptrace::TraceError::NoSuchProcess(pid)),
                Some('Z' | 'X') => bail!("{}", ptrace::TraceError::Exited(pid)),
                Some(_) => {}
            }
        }
        None
    };
    let ids: Vec<u32> = match root {
        Some(pid) => vec![pid as u32],
        None => req.pids.iter().map(|&p| p as u32).collect(),
    };
    // Without -f only the thread itself, as strace; with -f its process tree, followed
    // at fork in the kernel.
    let mut scope = Scope::default();
    if req.follow {
        scope.trees = ids.clone();
    } else {
        scope.tids = ids.clone();
    }
    let set = req.trace_set.clone();
    let select = set
        .as_ref()
        .map(|set| move |arch: Arch, nr: u32| set.contains(arch, nr));
    // A count needs only to know when the tasks are gone: their forks and exits. No
    // line is printed, so neither exec records (they precede an execve's line) nor
    // signals are sent, and their probes are not loaded (the exec probe is the largest
    // program the verifier walks).
    let lines = counted.is_none();
    let lifecycle = Lifecycle {
        fork: true,
        exec: lines,
        exit: true,
        signal: lines,
        ..Lifecycle::default()
    };
    let select = select.as_ref().map(|s| s as &dyn Fn(Arch, u32) -> bool);
    let started = if let Some(c) = &counted {
        Watcher::start_counting(&scope, select, lifecycle, c.timed())
    } else {
        // The sinks read a record's pid, tid and time, nothing else of its header.
        let plan = |arch, nr| decoder.planned_reads(arch, nr);
        Watcher::start_lean(&scope, select, lifecycle, req.timed, &plan)
    };
    let mut watcher = match started {
        Ok(w) => w,
        Err(e) => {
            if let Some(pid) = root {
                // The command has not run a line of its own: it goes, not left stopped.
                // SAFETY: kill and waitpid on our own child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
            }
            bail!("{e}");
        }
    };
    let mut tasks = Tasks {
        root,
        root_execed: root.is_none(),
        live: ids.iter().map(|&t| t as i32).collect(),
        follow: req.follow,
        execs: Default::default(),
        ended_leaders: Default::default(),
    };
    let clock = Clock::now();
    if let Some(pid) = root {
        sink.event(&Event {
            ts: clock.stamp_now(),
            pid,
            tid: pid,
            kind: EventKind::Started,
        })?;
        // SAFETY: our own child, stopped before its execve.
        unsafe { libc::kill(pid, libc::SIGCONT) };
    }
    let mut status = None;
    let mut lost_told = 0;
    let mut stop_at: Option<Instant> = None;
    let mut failed = None;
    loop {
        let mut each = |r: &Record| {
            if failed.is_none()
                && let Err(e) = deliver(r, decoder, &clock, &mut tasks, sink)
            {
                failed = Some(e);
            }
        };
        watcher.poll(Duration::from_millis(50), &mut each)?;
        if let Some(e) = failed.take() {
            return Err(e.into());
        }
        sink.idle()?;
        let lost = watcher.lost();
        if lost > lost_told {
            diag!(
                "sysfence: {} events lost (the ring buffer was full): the trace misses calls",
                lost - lost_told
            );
            lost_told = lost;
        }
        if let (Some(pid), None) = (root, status) {
            let mut st = 0;
            // SAFETY: waitpid on our own child, into a live local.
            if unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) } == pid {
                status = Some(st);
            }
        }
        // Gone: every traced thread told its exit (the started command reaped too).
        if tasks.live.is_empty() && (root.is_none() || status.is_some()) {
            break;
        }
        // A thread whose exit was lost (counted above) is not waited for forever.
        if status.is_some() || root.is_none() {
            tasks.live.retain(|tid| task_lives(*tid));
        }
        if stop::requested() {
            // Ctrl-C reaches the command too: a moment for its last calls, then the
            // probes let go and it runs on untraced, as strace detaches.
            let at = *stop_at.get_or_insert_with(Instant::now);
            if root.is_none() || at.elapsed() > Duration::from_millis(300) {
                while watcher.poll(Duration::ZERO, &mut |r: &Record| {
                    let _ = deliver(r, decoder, &clock, &mut tasks, sink);
                })? > 0
                {}
                sink.finish()?;
                summarise(&watcher, counted)?;
                return Ok(Outcome::Interrupted(libc::SIGINT));
            }
        }
    }
    sink.finish()?;
    summarise(&watcher, counted)?;
    Ok(match status {
        Some(st) if libc::WIFSIGNALED(st) => Outcome::Killed(libc::WTERMSIG(st)),
        Some(st) => Outcome::Exited(libc::WEXITSTATUS(st)),
        None => Outcome::Done,
    })
}

/// What takes the calls counted in the kernel: the -c summary, a recording.
pub(super) trait Counted {
    /// The calls of `nr` on `arch`.
    fn add(&mut self, arch: Arch, nr: u32, stat: &ebpf::layout::Stat);
    /// All are in.
    fn done(&mut self) -> std::io::Result<()>;
    /// Whether it needs errors and times (counted at exit), not only which calls.
    fn timed(&self) -> bool {
        true
    }
}

/// As strace's, the table counts the calls that returned.
impl Counted for SummarySink {
    fn add(&mut self, arch: Arch, nr: u32, st: &ebpf::layout::Stat) {
        if st.calls > 0 {
            SummarySink::add(self, arch, nr, st.calls, st.errors, st.ns);
        }
    }
    fn done(&mut self) -> std::io::Result<()> {
        self.finish()
    }
}

/// Hands the kernel's counts over.
fn summarise(watcher: &Watcher, counted: Option<&mut dyn Counted>) -> Result<()> {
    if let Some(c) = counted {
        for (arch, nr, st) in watcher.call_counts()? {
            c.add(arch, nr, &st);
        }
        c.done()?;
    }
    Ok(())
}

/// Hands one record to the sink as the ptrace source's events: a call as its entry
/// and its exit together, a fork as a new task attached (-f), an exit as exited or
/// killed, a signal as delivered.
fn deliver(
    r: &Record,
    decoder: &Decoder,
    clock: &Clock,
    tasks: &mut Tasks,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let h = r.header();
    let (pid, tid) = (h.pid as i32, h.tid as i32);
    let before_exec = Some(tid) == tasks.root && !tasks.root_execed;
    match r {
        Record::Exec(x) => {
            // The command's own image runs from here (its execve's line may not be
            // selected, -e trace=).
            if Some(tid) == tasks.root {
                tasks.root_execed = true;
            }
            tasks.execs.insert(tid, x.clone());
            // A thread's exec after its leader ended (pthread_exit): the leader told no
            // exit of its own then, and is superseded now by the thread that took its
            // id, as ptrace tells it (its exit record came before the exec began).
            let old_tid = x.old_pid as i32;
            if tasks.follow && old_tid != tid && tasks.ended_leaders.remove(&pid) {
                tasks.live.remove(&old_tid);
                let ts = clock.at(x.h.ts_ns);
                let kind = EventKind::Superseded { old_tid };
                return sink.event(&Event { ts, pid, tid, kind });
            }
            Ok(())
        }
        Record::Syscall(e) => {
            // (Most calls are not an exec's: no hashing for them.)
            let exec = if tasks.execs.is_empty() {
                None
            } else {
                tasks.execs.remove(&tid)
            };
            let Some((mut exit, exit_ts)) = syscall_exit(decoder, clock, e, exec.as_deref()) else {
                return Ok(());
            };
            // -c's time: from entry to exit (the probes have no per-call system time).
            exit.system_ns = exit.result.map(|_| e.duration_ns);
            if before_exec {
                let name = &decoder.shape(exit.entry.arch, exit.entry.nr).name;
                if !matches!(name.as_str(), "execve" | "execveat") {
                    return Ok(());
                }
                tasks.root_execed = exit.result.is_some_and(|r| !r.is_error);
            }
            let entry_ts = exit.entry.ts;
            sink.event(&Event {
                ts: entry_ts,
                pid,
                tid,
                kind: EventKind::SyscallEnter(Arc::clone(&exit.entry)),
            })?;
            sink.take(Event {
                ts: exit_ts,
                pid,
                tid,
                kind: EventKind::SyscallExit(exit),
            })
        }
        Record::Proc(e) => {
            let ts = clock.at(e.h.ts_ns);
            match e.h.kind {
                ebpf::layout::kind::FORK if tasks.follow => {
                    let child = e.other_tid as i32;
                    tasks.live.insert(child);
                    sink.event(&Event {
                        ts,
                        pid: e.other_pid as i32,
                        tid: child,
                        kind: EventKind::Attached { threads: 1 },
                    })
                }
                ebpf::layout::kind::EXIT => {
                    let code = e.code;
                    let group_dead = e.detail & 1 != 0;
                    let by_exec = e.other_tid as i32;
                    // With -f the thread that execs is traced: it goes on under the
                    // leader's id and supersedes it, as ptrace tells it (without -f the
                    // trace ends here).
                    let superseded = by_exec != 0 && tasks.follow && tasks.live.remove(&by_exec);
                    if superseded {
                        let kind = EventKind::Superseded { old_tid: by_exec };
                        return sink.event(&Event { ts, pid, tid, kind });
                    }
                    // A leader that exits (pthread_exit) while its threads run on ends,
                    // for a tracer, with its process: its status is then the process's.
                    if tasks.follow && tid == pid && !group_dead && tasks.live.contains(&tid) {
                        tasks.ended_leaders.insert(pid);
                        return Ok(());
                    }
                    tasks.live.remove(&tid);
                    sink.event(&Event {
                        ts,
                        pid,
                        tid,
                        kind: exit_kind(code),
                    })?;
                    // The last thread's status is the process's, and so its leader's.
                    if group_dead && tasks.ended_leaders.remove(&pid) {
                        tasks.live.remove(&pid);
                        sink.event(&Event {
                            ts,
                            pid,
                            tid: pid,
                            kind: exit_kind(code),
                        })?;
                    }
                    Ok(())
                }
                // SIGKILL is never seen delivered by a tracer (nor printed by strace).
                ebpf::layout::kind::SIGNAL if !before_exec && e.code != libc::SIGKILL => sink
                    .event(&Event {
                        ts,
                        pid,
                        tid,
                        kind: EventKind::Signal(SignalDelivery {
                            signo: e.code,
                            siginfo: Some(siginfo_t(&e.siginfo)),
                        }),
                    }),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// A wait status as the exit or the death it tells.
fn exit_kind(code: i32) -> EventKind {
    if code & 0x7f == 0 {
        EventKind::Exited {
            code: (code >> 8) & 0xff,
        }
    } else {
        EventKind::Killed {
            signal: code & 0x7f,
            core_dumped: code & 0x80 != 0,
        }
    }
}

/// A signal record's siginfo as the 128-byte siginfo_t the decoders read.
fn siginfo_t(prefix: &[u8]) -> Vec<u8> {
    let mut info = prefix.to_vec();
    info.resize(128, 0);
    info
}

/// Whether thread `tid` may still make calls: it is there and not a zombie (a zombie has
/// ended, whoever reaps it and whenever).
fn task_lives(tid: i32) -> bool {
    !matches!(ptrace::proc_state(tid), None | Some('Z' | 'X'))
}

/// Counts, at entry, the calls of the tasks of cgroup `dir` and the cgroups below it
/// (`what` names it to the user) until the last of its processes is gone (or Ctrl-C),
/// and hands them to `counted`.
pub(super) fn count_cgroup(
    what: &str,
    dir: &std::path::Path,
    counted: &mut dyn Counted,
) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    stop::install();
    let mut scope = Scope::default();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        scope.cgroups.push(std::fs::metadata(&d)?.ino());
        for entry in std::fs::read_dir(&d)?.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.path());
            }
        }
    }
    let lifecycle = Lifecycle::default();
    let watcher = Watcher::start_counting(&scope, None, lifecycle, false)?;
    diag!(
        "sysfence: recording {what}: until its last process ends, or Ctrl-C ({} cgroups)",
        scope.cgroups.len()
    );
    // Populated: `cgroup.events` says so; a cgroup removed (runc deletes it) is empty.
    // One empty at the start is waited for until a process joins it.
    let populated = || {
        std::fs::read_to_string(dir.join("cgroup.events"))
            .is_ok_and(|e| e.lines().any(|l| l == "populated 1"))
    };
    let mut seen = false;
    while !stop::requested() && dir.exists() {
        let now = populated();
        if seen && !now {
            break;
        }
        seen |= now;
        std::thread::sleep(Duration::from_millis(50));
    }
    for (arch, nr, st) in watcher.call_counts()? {
        counted.add(arch, nr, &st);
    }
    counted.done()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use render::decode::AskedMemory;
    use render::{DecodeOptions, Decoder};
    use syscalls::Arch;

    /// The arguments `decoder` reads memory at, for call `nr` on `arch`, when its first
    /// or second argument holds one of `commands` and it returns one of `returns`: each
    /// other argument at an address of its own.
    fn args_read(
        decoder: &Decoder,
        arch: Arch,
        nr: u32,
        commands: &[u64],
        returns: &[i64],
    ) -> Vec<usize> {
        let at = |i: usize| 0x10_000 * (i as u64 + 1);
        let mut read = Vec::new();
        for &c in commands {
            for pos in [0, 1] {
                let mut args: [u64; 6] = std::array::from_fn(at);
                args[pos] = c;
                let mut asked = AskedMemory::default();
                asked.ask(decoder, arch, nr, args, returns);
                read.extend(
                    (0..6).filter(|&i| i != pos && asked.reads.iter().any(|r| r.0 == at(i))),
                );
            }
        }
        read.sort_unstable();
        read.dedup();
        read
    }

    /// The third capture takes what the first two leave, as the decoders read it:
    /// mount's type (arg 2) beside its source and its target, in each ABI the probes
    /// watch.
    #[test]
    fn mounts_type_is_the_third_capture() {
        use ebpf::layout::cap_kind::STR;
        let decoder = Decoder::new(DecodeOptions::default());
        for arch in [Arch::X86_64, Arch::I386, Arch::X32] {
            let nr = arch.table().lookup_name("mount").unwrap().nr;
            let plan = ebpf::capture_plan(arch, nr, &decoder.planned_reads(arch, nr));
            assert_eq!(plan, [STR, STR | 1 << 8, STR | 2 << 8], "{arch:?}");
        }
    }

    /// The other way round: each argument a decoder reads memory at, for some of the
    /// commands a call's first two arguments can hold, is one the probes capture, or
    /// one of those listed in uncaptured_reads.txt (printed as its address with the
    /// eBPF backend): more than the captures a record holds, a command's argument read
    /// as memory only by some commands, memory another capture points to.
    #[test]
    fn every_argument_a_decoder_reads_is_captured_or_listed() {
        let decoder = Decoder::new(DecodeOptions {
            verbose: true,
            ..DecodeOptions::default()
        });
        let commands = [
            0u64,
            1,
            2,
            3,
            4,
            5,
            6,
            8,
            9,
            10,
            16,
            0x5401,
            0x130_0000,
            u64::MAX,
        ];
        let mut uncaptured = Vec::new();
        for arch in Arch::ALL {
            for sc in arch.table().entries() {
                let plan = ebpf::capture_plan(arch, sc.nr, &decoder.planned_reads(arch, sc.nr));
                let captured: Vec<usize> = plan
                    .iter()
                    .filter(|&&h| h != 0)
                    .map(|h| ((h >> 8) & 0xff) as usize)
                    .collect();
                for arg in args_read(&decoder, arch, sc.nr, &commands, &[8, -4]) {
                    if !captured.contains(&arg) {
                        uncaptured.push(format!("{arch:?} {} {arg}", sc.name));
                    }
                }
            }
        }
        ratchet(
            "uncaptured_reads.txt",
            include_str!("trace_ebpf/uncaptured_reads.txt"),
            &uncaptured,
        );
    }

    /// Fails unless `found` is what the list `known` (a file's lines, # comments aside)
    /// holds: a change to either comes in the same commit.
    fn ratchet(file: &str, known: &str, found: &[String]) {
        let known: Vec<&str> = known
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        let new: Vec<&String> = found
            .iter()
            .filter(|u| !known.contains(&u.as_str()))
            .collect();
        let mended: Vec<&&str> = known
            .iter()
            .filter(|k| !found.iter().any(|u| u == *k))
            .collect();
        assert!(
            new.is_empty() && mended.is_empty(),
            "not in {file}: {new:#?}\nin it, no longer found: {mended:#?}"
        );
    }

    /// The probes' captures come from the decoders' plan (`Decoder::planned_reads`),
    /// some by what a format states (a length in another argument, a count the kernel
    /// writes). Each capture the probes take must be memory a decoder reads, at the
    /// argument it names, for every call of every ABI (for some of the commands a call's
    /// first two arguments can hold): a capture no decoder asks for is ring space and a
    /// traced call's time spent for nothing, and a capture of the wrong argument prints
    /// nothing.
    #[test]
    fn every_capture_the_probes_take_is_memory_a_decoder_reads() {
        let decoder = Decoder::new(DecodeOptions {
            verbose: true,
            ..DecodeOptions::default()
        });
        // Commands and flags (clone's: the tids it stores; every bit set), in the first
        // or the second argument (clock_nanosleep's flags), each with a success, an
        // interrupted call (EINTR) and one a signal interrupted to be restarted
        // (ERESTART_RESTARTBLOCK: a sleep's remaining time); i386's ipc making shmat (21),
        // which writes the address it attached.
        let commands = [
            0u64,
            1,
            2,
            3,
            4,
            5,
            6,
            8,
            16,
            21,
            0x5401,
            0x130_0000,
            u64::MAX,
        ];
        let mut unread = Vec::new();
        for arch in Arch::ALL {
            for sc in arch.table().entries() {
                let plan = ebpf::capture_plan(arch, sc.nr, &decoder.planned_reads(arch, sc.nr));
                let read = args_read(&decoder, arch, sc.nr, &commands, &[8, -4, -516]);
                for how in plan.into_iter().filter(|&h| h != 0) {
                    let arg = ((how >> 8) & 0xff) as usize;
                    // capget's and capset's data are read once the header holds a
                    // version the decoders know, which the test's memory does not.
                    let versioned = matches!(sc.name, "capget" | "capset") && arg == 1;
                    if !read.contains(&arg) && !versioned {
                        unread.push(format!("{arch:?} {} {arg} {how:#x}", sc.name));
                    }
                }
            }
        }
        assert!(
            unread.is_empty(),
            "captures no decoder is seen to read: {unread:#?}"
        );
    }
}
