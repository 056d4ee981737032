//! The strace-compatible text printer.

use crate::decode::{CallView, Decoder};
use crate::prim::signal;
use crate::select::{SignalSet, StatusSet};
use crate::siginfo;
use events::{Event, EventKind, IdMap, IdSet, Sink, SyscallEntry, SyscallExit, Timestamp};
use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use syscalls::Arch;

/// Opens the stream of a task (`-ff`), given its id.
pub type OpenTaskStream = Box<dyn FnMut(i32) -> Box<dyn Write + Send> + Send>;

/// Where text goes.
pub enum TextOutput {
    /// One stream for every task (stderr or `-o FILE`).
    Single(Box<dyn Write + Send>),
    /// `-ff -o FILE`: one stream per task (`FILE.TID`), opened by the function given
    /// when the task's first line is printed.
    PerTask(OpenTaskStream),
}

/// When lines carry the task id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidPrefix {
    /// Never (`-ff`, or one task without -f).
    Never,
    /// `PID   ` on every line (`-f -o FILE`, or several `-p`).
    Always,
    /// `[pid N] ` whenever more than one task is traced (stderr output).
    WhenSeveral,
}

/// The timestamp at the start of each line (`-t`, `-tt`, `-ttt`,
/// `--absolute-timestamps=...`), with the digits of its fraction (0, 3, 6 or 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// None.
    None,
    /// Local wall-clock time, `HH:MM:SS` (`-t`), `HH:MM:SS.uuuuuu` (`-tt`).
    Clock(u8),
    /// Seconds since the epoch, `SECONDS.uuuuuu` (`-ttt`).
    Unix(u8),
}

/// `.` and the first `digits` decimals of `ns` (nothing for 0 digits), as strace's
/// `%0*ld` of the nanoseconds over the precision's scale.
fn fraction(ns: u64, digits: u8) -> String {
    if digits == 0 {
        return String::new();
    }
    let scaled = ns / 10u64.pow(9 - u32::from(digits.min(9)));
    format!(".{scaled:0width$}", width = digits as usize)
}

/// Text printer options.
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// Task id prefix.
    pub pid_prefix: PidPrefix,
    /// Absolute timestamps.
    pub time: TimeFormat,
    /// Relative timestamps (`-r`), with the digits of their fraction.
    pub relative: Option<u8>,
    /// Time spent in each syscall (`-T`), with the digits of its fraction.
    pub durations: Option<u8>,
    /// Instruction pointer at syscall entry (`-i`).
    pub ip: bool,
    /// The column where ` = ` is aligned (`-a`, default 40).
    pub column: usize,
    /// Which syscall outcomes print (`-e status=`).
    pub status: StatusSet,
    /// Which signals print (`-e signal=`).
    pub signals: SignalSet,
    /// Hide `+++ exited with +++` lines (`-qq`).
    pub quiet_exit: bool,
    /// Print `PROG: Process N attached/detached` notices in the stream (when the trace
    /// goes to stderr, so they never land inside an open line); `None` leaves them out.
    pub notices: Option<&'static str>,
    /// Seconds east of UTC: `-t`/`-tt` print local wall-clock time, as strace does.
    pub utc_offset: i64,
    /// Print strace's `[ Process PID=N runs in 32 bit mode. ]` when a task's syscall ABI
    /// changes (off with -q, as strace's quiet set has it).
    pub personality_notices: bool,
    /// Print `+++ superseded by execve in pid N +++` (off with `-e quiet=superseded`).
    pub superseded_notices: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            pid_prefix: PidPrefix::WhenSeveral,
            time: TimeFormat::None,
            relative: None,
            durations: None,
            ip: false,
            column: 40,
            status: StatusSet::all(),
            signals: SignalSet::all(),
            quiet_exit: false,
            notices: None,
            utc_offset: 0,
            personality_notices: true,
            superseded_notices: true,
        }
    }
}

struct Stream {
    out: Box<dyn Write + Send>,
    /// The task whose line is open (printed up to its entry part) and its column.
    open: Option<(i32, usize)>,
}

/// strace's attach and detach notice for `ev` (`PROG: Process N attached with 4
/// threads`, `PROG: Process N detached`, one per thread), with its newline.
pub fn notice_line(prog: &str, ev: &Event) -> Option<String> {
    match ev.kind {
        EventKind::Attached { threads } if threads > 1 => Some(format!(
            "{prog}: Process {} attached with {threads} threads\n",
            ev.tid
        )),
        EventKind::Attached { .. } => Some(format!("{prog}: Process {} attached\n", ev.tid)),
        EventKind::Detached => Some(format!("{prog}: Process {} detached\n", ev.tid)),
        _ => None,
    }
}

/// Prints events as strace does.
pub struct TextSink {
    decoder: Arc<Decoder>,
    opts: TextOptions,
    single: Option<Stream>,
    open_task: Option<OpenTaskStream>,
    per_task: IdMap<i32, Stream>,
    live: IdSet<i32>,
    last_mono: Option<u64>,
    /// Per task, its last call whose exit was printed (ABI and number): the call a
    /// `restart_syscall` resumes (strace's s_prev_ent).
    prev: IdMap<i32, (Arch, u32)>,
    /// The last line's buffer, cleared and used again (no allocation per line).
    spare: String,
}

impl TextSink {
    /// A printer writing to `output`.
    pub fn new(decoder: Arc<Decoder>, opts: TextOptions, output: TextOutput) -> TextSink {
        let (single, open_task) = match output {
            TextOutput::Single(out) => (Some(Stream { out, open: None }), None),
            TextOutput::PerTask(open) => (None, Some(open)),
        };
        TextSink {
            decoder,
            opts,
            single,
            open_task,
            per_task: IdMap::default(),
            live: IdSet::default(),
            last_mono: None,
            prev: IdMap::default(),
            spare: String::new(),
        }
    }

    /// An empty line buffer: the last line's, kept by [`TextSink::write_line`].
    fn take_line(&mut self) -> String {
        let mut s = std::mem::take(&mut self.spare);
        s.clear();
        s
    }

    /// Writes `line` to `tid`'s output and keeps its buffer for the next line.
    fn write_line(&mut self, tid: i32, line: String) -> io::Result<()> {
        let written = self.stream(tid)?.out.write_all(line.as_bytes());
        self.spare = line;
        written
    }

    fn deferred(&self) -> bool {
        !self.opts.status.is_all() || self.decoder.filters_paths()
    }

    fn stream(&mut self, tid: i32) -> io::Result<&mut Stream> {
        if let Some(s) = self.single.as_mut() {
            return Ok(s);
        }
        let open = self.open_task.as_mut().expect("per-task output");
        if let std::collections::hash_map::Entry::Vacant(slot) = self.per_task.entry(tid) {
            let out: Box<dyn Write + Send> = Box::new(BufWriter::with_capacity(1 << 16, open(tid)));
            slot.insert(Stream { out, open: None });
        }
        Ok(self.per_task.get_mut(&tid).expect("inserted"))
    }

    fn prefix(&mut self, tid: i32, ts: Timestamp, ip: Option<u64>) -> String {
        let mut s = self.take_line();
        match self.opts.pid_prefix {
            PidPrefix::Always => s.push_str(&format!("{tid:<5} ")),
            PidPrefix::WhenSeveral if self.live.len() > 1 => {
                s.push_str(&format!("[pid {tid:>5}] "))
            }
            _ => {}
        }
        let secs = ts.real_ns / 1_000_000_000;
        let ns = ts.real_ns % 1_000_000_000;
        let local = (secs as i64 + self.opts.utc_offset).rem_euclid(86_400);
        let (h, m, sec) = (local / 3600, (local / 60) % 60, local % 60);
        match self.opts.time {
            TimeFormat::None => {}
            TimeFormat::Clock(d) => {
                s.push_str(&format!("{h:02}:{m:02}:{sec:02}{} ", fraction(ns, d)))
            }
            TimeFormat::Unix(d) => s.push_str(&format!("{secs}{} ", fraction(ns, d))),
        }
        if let Some(digits) = self.opts.relative {
            let prev = self.last_mono.unwrap_or(ts.mono_ns);
            let d = ts.mono_ns.saturating_sub(prev);
            self.last_mono = Some(ts.mono_ns);
            let (open, close) = if self.opts.time == TimeFormat::None {
                ("", " ")
            } else {
                ("(+", ") ")
            };
            s.push_str(&format!(
                "{open}{:6}{}{close}",
                d / 1_000_000_000,
                fraction(d % 1_000_000_000, digits)
            ));
        }
        if self.opts.ip {
            match ip {
                Some(ip) => s.push_str(&format!("[{ip:016x}] ")),
                None => s.push_str("[????????????????] "),
            }
        }
        s
    }

    /// Ends another task's open line with ` <unfinished ...>`.
    fn interrupt_open(&mut self, tid: i32) -> io::Result<()> {
        let stream = self.stream(tid)?;
        if let Some((other, _)) = stream.open
            && other != tid
        {
            stream.out.write_all(b" <unfinished ...>\n")?;
            stream.open = None;
        }
        Ok(())
    }

    /// strace's notice when a task starts making syscalls of another ABI (a 64-bit program
    /// using `int 0x80`, a 32-bit program after execve).
    fn note_abi(&mut self, tid: i32, ts: Timestamp, arch: Arch) -> io::Result<()> {
        if !self.opts.personality_notices {
            return Ok(());
        }
        let mode = match arch {
            Arch::I386 => "32 bit",
            Arch::X32 => "x32",
            Arch::X86_64 | Arch::Aarch64 => "64 bit",
        };
        self.whole_line(
            tid,
            ts,
            &format!("[ Process PID={tid} runs in {mode} mode. ]"),
        )
    }

    fn on_enter(&mut self, tid: i32, entry: &Arc<SyscallEntry>) -> io::Result<()> {
        if self.deferred() {
            return Ok(());
        }
        self.interrupt_open(tid)?;
        let mut line = self.prefix(tid, entry.ts, Some(entry.ip));
        self.head(&mut line, tid, entry);
        let col = line.chars().count();
        self.write_line(tid, line)?;
        self.stream(tid)?.open = Some((tid, col));
        Ok(())
    }

    /// `name(` and the arguments known at entry (with the separator before the rest),
    /// added to `s`.
    fn head(&self, s: &mut String, tid: i32, entry: &SyscallEntry) {
        let call = self.decoder.call(entry);
        let (shape, entry) = (&call.shape, &*call.entry);
        if shape.name == "restart_syscall" && shape.ret != crate::specs::Ret::Raw {
            let prev = self
                .prev
                .get(&tid)
                .map(|&(arch, nr)| self.decoder.shape(arch, nr));
            let name = prev.as_ref().map_or("system call", |s| s.name.as_str());
            s.push_str("restart_syscall(<... resuming interrupted ");
            s.push_str(name);
            s.push_str(" ...>");
            return;
        }
        let split = self.decoder.entry_split(shape, entry);
        let view = CallView {
            entry,
            result: None,
            exit_mem: &[],
        };
        s.push_str(&shape.name);
        s.push('(');
        let printed = self.decoder.push_args(s, shape, &view, 0..split);
        if split < shape.fmts.len() && printed > 0 {
            s.push_str(", ");
        }
    }

    /// The rest of a call's line from argument `from` on, added to `s`, whose line has
    /// `col` characters before it.
    fn tail(&self, s: &mut String, exit: &SyscallExit, ts: Timestamp, col: usize, from: usize) {
        let start = s.len();
        let call = self.decoder.call(&exit.entry);
        let shape = &call.shape;
        let view = CallView {
            entry: &call.entry,
            result: exit.result,
            exit_mem: &exit.mem,
        };
        // A call cut off by death or detach (not one that never returns by design, like
        // exit_group) ends as strace ends it: with ` <unfinished ...>) = ?` when it had
        // arguments left to print at exit, else whole, `kill(1234, SIGKILL) = ?`.
        let cut_off = exit.result.is_none() && shape.ret != crate::specs::Ret::NoReturn;
        if cut_off && from < shape.fmts.len() {
            s.push_str(" <unfinished ...>");
        } else if !cut_off {
            self.decoder
                .push_args(s, shape, &view, from..shape.fmts.len());
        }
        s.push_str(") ");
        let now = col + s[start..].chars().count();
        for _ in now..self.opts.column {
            s.push(' ');
        }
        s.push_str("= ");
        self.decoder.push_ret(s, shape, &view);
        if let (Some(digits), Some(_)) = (self.opts.durations, exit.result) {
            let d = ts.mono_ns.saturating_sub(exit.entry.ts.mono_ns);
            s.push_str(&format!(
                " <{}{}>",
                d / 1_000_000_000,
                fraction(d % 1_000_000_000, digits)
            ));
        }
        s.push('\n');
    }

    fn on_exit(&mut self, tid: i32, ts: Timestamp, exit: &SyscallExit) -> io::Result<()> {
        if exit.detached && !self.deferred() {
            // As strace: only a line still open gets ` <detached ...>`.
            let stream = self.stream(tid)?;
            if stream.open.is_some_and(|(open_tid, _)| open_tid == tid) {
                stream.open = None;
                stream.out.write_all(b" <detached ...>\n")?;
            }
            return Ok(());
        }
        // The call a later restart_syscall resumes, as strace's: set before the -e
        // status= filter, after the line's head is made.
        let printed = self.print_exit(tid, ts, exit);
        self.prev.insert(tid, (exit.entry.arch, exit.entry.nr));
        printed
    }

    /// Prints the end of a call (or the whole call, when lines wait for their exit).
    fn print_exit(&mut self, tid: i32, ts: Timestamp, exit: &SyscallExit) -> io::Result<()> {
        let decoder = self.decoder.clone();
        let call = decoder.call(&exit.entry);
        let shape = &call.shape;
        if self.deferred() {
            let outcome = match exit.result {
                None if exit.detached => crate::select::Status::Detached,
                None => crate::select::Status::Unfinished,
                Some(r) if r.is_error => crate::select::Status::Failed,
                Some(_) => crate::select::Status::Successful,
            };
            if !self.opts.status.contains(outcome) || !decoder.touches_paths(&exit.entry) {
                return Ok(());
            }
            let mut line = self.prefix(tid, exit.entry.ts, Some(exit.entry.ip));
            self.head(&mut line, tid, &exit.entry);
            let col = line.chars().count();
            self.tail(
                &mut line,
                exit,
                ts,
                col,
                decoder.entry_split(shape, &call.entry),
            );
            return self.write_line(tid, line);
        }
        let split = decoder.entry_split(shape, &call.entry);
        let open = self.stream(tid)?.open;
        if let Some((open_tid, col)) = open
            && open_tid == tid
        {
            let mut tail = self.take_line();
            self.tail(&mut tail, exit, ts, col, split);
            self.stream(tid)?.open = None;
            return self.write_line(tid, tail);
        }
        self.interrupt_open(tid)?;
        let mut line = self.prefix(tid, ts, None);
        line.push_str(&format!("<... {} resumed>", shape.name));
        let col = line.chars().count();
        self.tail(&mut line, exit, ts, col, split);
        self.write_line(tid, line)
    }

    fn whole_line(&mut self, tid: i32, ts: Timestamp, text: &str) -> io::Result<()> {
        self.interrupt_open(tid)?;
        let mut line = self.prefix(tid, ts, None);
        line.push_str(text);
        line.push('\n');
        self.write_line(tid, line)
    }
}

impl Sink for TextSink {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        match &ev.kind {
            EventKind::Exited { .. } | EventKind::Killed { .. } | EventKind::Detached => {}
            _ => {
                self.live.insert(ev.tid);
            }
        }
        match &ev.kind {
            EventKind::SyscallEnter(entry) => self.on_enter(ev.tid, entry)?,
            EventKind::SyscallExit(exit) => self.on_exit(ev.tid, ev.ts, exit)?,
            EventKind::AbiChanged { arch } => self.note_abi(ev.tid, ev.ts, *arch)?,
            EventKind::Signal(sig) if self.opts.signals.contains(sig.signo) => {
                let style = self.decoder.options().style;
                let info = sig
                    .siginfo
                    .as_deref()
                    .map(|b| siginfo::format(b, style, crate::prim::Layout::LP64));
                let text = match info {
                    Some(info) => format!("--- {} {info} ---", signal(sig.signo)),
                    None => format!("--- {} ---", signal(sig.signo)),
                };
                self.whole_line(ev.tid, ev.ts, &text)?;
            }
            EventKind::GroupStop { signal: s } if self.opts.signals.contains(*s) => {
                self.whole_line(ev.tid, ev.ts, &format!("--- stopped by {} ---", signal(*s)))?;
            }
            EventKind::Exited { code } if !self.opts.quiet_exit => {
                self.whole_line(ev.tid, ev.ts, &format!("+++ exited with {code} +++"))?;
            }
            EventKind::Killed {
                signal: s,
                core_dumped,
            } if self.opts.signals.contains(*s) => {
                let core = if *core_dumped { "(core dumped) " } else { "" };
                self.whole_line(
                    ev.tid,
                    ev.ts,
                    &format!("+++ killed by {} {core}+++", signal(*s)),
                )?;
            }
            EventKind::Attached { .. } | EventKind::Detached if self.opts.notices.is_some() => {
                let prog = self.opts.notices.unwrap_or("sysfence");
                // Close any open line first (-1 is no task), then print without a prefix.
                self.interrupt_open(-1)?;
                if let Some(line) = notice_line(prog, ev) {
                    self.stream(ev.tid)?.out.write_all(line.as_bytes())?;
                }
            }
            EventKind::Superseded { old_tid } if !self.opts.superseded_notices => {
                self.live.remove(old_tid);
            }
            EventKind::Superseded { old_tid } => {
                self.live.remove(old_tid);
                self.whole_line(
                    ev.tid,
                    ev.ts,
                    &format!("+++ superseded by execve in pid {old_tid} +++"),
                )?;
            }
            _ => {}
        }
        match &ev.kind {
            EventKind::Exited { .. } | EventKind::Killed { .. } | EventKind::Detached => {
                if let Some(stream) = self.per_task.get_mut(&ev.tid) {
                    stream.out.flush()?;
                }
                self.per_task.remove(&ev.tid);
                self.live.remove(&ev.tid);
                self.prev.remove(&ev.tid);
            }
            _ => {}
        }
        Ok(())
    }

    fn idle(&mut self) -> io::Result<()> {
        if let Some(s) = self.single.as_mut() {
            s.out.flush()?;
        }
        for s in self.per_task.values_mut() {
            s.out.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let tids: Vec<i32> = self.per_task.keys().copied().collect();
        for tid in tids {
            if let Some(s) = self.per_task.get_mut(&tid)
                && s.open.is_some()
            {
                s.out.write_all(b" <unfinished ...>\n")?;
                s.open = None;
            }
        }
        if let Some(s) = self.single.as_mut()
            && s.open.take().is_some()
        {
            s.out.write_all(b" <unfinished ...>\n")?;
        }
        self.idle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::DecodeOptions;
    use events::{SyscallResult, Timestamp};
    use std::sync::Mutex;
    use syscalls::Arch;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn entry(name: &str, args: [u64; 6]) -> Arc<SyscallEntry> {
        let nr = Arch::X86_64.table().lookup_name(name).expect("known").nr;
        Arc::new(SyscallEntry {
            arch: Arch::X86_64,
            nr,
            args,
            ip: 0,
            sp: 0,
            mem: Vec::new(),
            ts: Timestamp::default(),
        })
    }

    fn ev(tid: i32, kind: EventKind) -> Event {
        Event {
            ts: Timestamp::default(),
            pid: tid,
            tid,
            kind,
        }
    }

    fn exit(entry: &Arc<SyscallEntry>, rval: Option<i64>) -> EventKind {
        EventKind::SyscallExit(SyscallExit {
            entry: entry.clone(),
            result: rval.map(|rval| SyscallResult {
                rval,
                is_error: rval < 0,
            }),
            mem: Vec::new(),
            system_ns: None,
            detached: false,
        })
    }

    #[test]
    fn interleaved_calls_print_unfinished_and_resumed_halves() {
        let out = Shared::default();
        let decoder = Arc::new(Decoder::new(DecodeOptions::default()));
        let mut sink = TextSink::new(
            decoder,
            TextOptions::default(),
            TextOutput::Single(Box::new(out.clone())),
        );
        let close = entry("close", [3, 0, 0, 0, 0, 0]);
        let dup2 = entry("dup2", [4, 1, 0, 0, 0, 0]);
        let exit_group = entry("exit_group", [0; 6]);
        for e in [
            ev(10, EventKind::SyscallEnter(close.clone())),
            ev(11, EventKind::SyscallEnter(dup2.clone())),
            ev(10, exit(&close, Some(0))),
            ev(11, exit(&dup2, Some(1))),
            ev(11, EventKind::SyscallEnter(exit_group.clone())),
            ev(11, exit(&exit_group, None)),
            ev(11, EventKind::Exited { code: 0 }),
        ] {
            sink.event(&e).expect("written");
        }
        sink.finish().expect("flushed");
        let text = String::from_utf8(out.0.lock().unwrap().clone()).expect("utf-8");
        assert_eq!(
            text,
            "close(3 <unfinished ...>\n\
             [pid    11] dup2(4, 1 <unfinished ...>\n\
             [pid    10] <... close resumed>)        = 0\n\
             [pid    11] <... dup2 resumed>)         = 1\n\
             [pid    11] exit_group(0)               = ?\n\
             [pid    11] +++ exited with 0 +++\n"
        );
    }
}
