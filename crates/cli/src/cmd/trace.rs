//! `sysfence trace`: strace's command line on sysfence's ptrace source and printers.

use crate::output::{self, Stream, StreamTarget, StreamWriter, check_creatable_in, diag};
use anyhow::{Context, Result, bail};
use clap::ArgAction;
use events::{Event, Pipelined, Sink, Tee};
use ptrace::{Outcome, Target, TracerBuilder};
use render::escape::Hex;
use render::select::{SignalSet, StatusSet, SyscallSet};
use render::xlat::Style;
use render::{
    DecodeOptions, Decoder, JsonSink, PidPrefix, SortBy, SummarySink, TextOptions, TextOutput,
    TextSink, TimeFormat,
};
use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// Arguments of `sysfence trace` (strace's flags, same meaning).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:
  sysfence trace ls -la /                      # every syscall of ls
  sysfence trace -f -o out.txt sh -c 'echo hi | wc -c'
  sysfence trace -ff -o trace sh -c 'date; id'  # trace.PID per task
  sysfence trace -e trace=%file,close cat /etc/hostname
  sysfence trace -e trace='!/^(mmap|mprotect)$' true
  sysfence trace -c dd if=/dev/zero of=/dev/null count=100
  sysfence trace -p \"$(pidof sshd)\"            # attach; Ctrl-C detaches, sshd keeps running
  sysfence trace --json -o events.jsonl make

Exit status: the traced command's; when it was killed by signal N, sysfence kills itself
with N so that a shell sees 128+N.",
    override_usage = "sysfence trace [OPTIONS] -p PID...\n       sysfence trace [OPTIONS] [--] COMMAND [ARGS]..."
)]
pub struct Args {
    /// Follow forks, vforks, clones and threads; twice (-ff) with -o FILE writes FILE.PID per task.
    #[arg(short = 'f', action = ArgAction::Count)]
    follow: u8,
    /// Write the trace to FILE instead of stderr (created or truncated, written as the
    /// trace goes); `|CMD` or `!CMD` pipes it into the shell command CMD.
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Append to the -o file (and to -ff's FILE.PID files) instead of truncating it.
    #[arg(short = 'A')]
    append: bool,
    /// Count time, calls and errors per syscall and print a summary instead of the trace.
    #[arg(short = 'c')]
    summary_only: bool,
    /// Like -c, but also print the regular trace.
    #[arg(short = 'C')]
    summary_too: bool,
    /// Sort the -c summary by time (default), calls, errors, name or nothing.
    #[arg(short = 'S', value_name = "SORTBY")]
    sort: Option<SortBy>,
    /// Summarise wall-clock time between syscall entry and exit instead of system time.
    #[arg(short = 'w')]
    wall: bool,
    /// Qualifying expression: trace=SET, status=SET, signal=SET (SET: names, %class, /regex,
    /// !negation, all, none). A bare SET means trace=SET.
    #[arg(short = 'e', value_name = "EXPR", value_parser = parse_expr)]
    exprs: Vec<Expr>,
    /// Prefix lines with the wall-clock time; -tt adds microseconds, -ttt prints seconds since the epoch.
    #[arg(short = 't', action = ArgAction::Count)]
    time: u8,
    /// Prefix lines with the time since the previous line.
    #[arg(short = 'r')]
    relative: bool,
    /// Show the time spent in each syscall (<seconds>).
    #[arg(short = 'T')]
    durations: bool,
    /// Print at most STRSIZE bytes of each string (default 32); paths are never cut.
    #[arg(short = 's', value_name = "STRSIZE", default_value_t = 32)]
    strsize: usize,
    /// Print the path a file descriptor refers to after it: 3</etc/passwd>; -yy prints
    /// socket endpoints: 3<TCP:[127.0.0.1:5000->127.0.0.1:80]>.
    #[arg(short = 'y', action = ArgAction::Count)]
    decode_fds: u8,
    /// Trace only syscalls that touch PATH, by name or through a file descriptor (repeatable).
    #[arg(short = 'P', value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print non-ASCII strings in hex; -xx prints every string in hex.
    #[arg(short = 'x', action = ArgAction::Count)]
    hex: u8,
    /// Print structures, argv and envp unabbreviated.
    #[arg(short = 'v')]
    verbose: bool,
    /// Suppress attach/detach messages; -qq also suppresses exit status lines.
    #[arg(short = 'q', action = ArgAction::Count)]
    quiet: u8,
    /// Print the instruction pointer at the time of each syscall.
    #[arg(short = 'i')]
    ip: bool,
    /// Align return values at COLUMN (default 40).
    #[arg(short = 'a', value_name = "COLUMN", default_value_t = 40)]
    column: usize,
    /// How named constants print: raw (numbers), abbrev (names, default) or verbose (both).
    #[arg(short = 'X', value_name = "FORMAT", value_parser = parse_style, default_value = "abbrev")]
    style: Style,
    /// Attach to process PID (repeatable; also comma- or space-separated lists). Ctrl-C detaches and the process keeps running.
    #[arg(short = 'p', value_name = "PID", value_parser = parse_pids, conflicts_with = "command")]
    pids: Vec<Vec<i32>>,
    /// When SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE end tracing, as strace's -I:
    /// 1 or anywhere (at once), 2 or waiting (cleanly, while waiting for the tracees: the
    /// default), 3 or never (they are ignored: the default for -o FILE COMMAND), 4 or
    /// never_tstp (and SIGTSTP, ^Z, too).
    #[arg(short = 'I', value_name = "N", value_parser = parse_interruptible)]
    interruptible: Option<u8>,
    /// Print JSON Lines (schema v1, one object per event) instead of strace text.
    #[arg(long)]
    json: bool,
    /// Stop the tracee only for the syscalls -e trace= selects, with a seccomp filter
    /// (automatic when -e trace= narrows the set for a command sysfence starts with -f).
    /// Needs -f, as strace's: the filter is inherited by children, which must be
    /// followed; the traced tree is killed if sysfence dies. Not possible with -p.
    #[arg(long = "seccomp-bpf")]
    seccomp_bpf: bool,
    /// Leave CPU placement to the scheduler. By default sysfence keeps itself and the
    /// command it starts on one CPU (a ptrace stop costs several times more across CPUs):
    /// the command, and its children under -f, are pinned to sysfence's CPU while
    /// single-threaded (they see one CPU in their affinity mask); a process that creates a
    /// thread gets its affinity back. With -p only sysfence moves, to its tracee's CPU.
    #[arg(long = "no-follow-cpu")]
    no_follow_cpu: bool,
    /// The command to run and trace.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        required_unless_present = "pids"
    )]
    command: Vec<OsString>,
}

#[derive(Clone)]
enum Expr {
    Trace(std::sync::Arc<SyscallSet>),
    Status(StatusSet),
    Signal(SignalSet),
}

fn parse_expr(s: &str) -> Result<Expr, String> {
    let (key, value) = s.split_once('=').unwrap_or(("trace", s));
    match key {
        "trace" | "t" => SyscallSet::parse(value)
            .map(|set| Expr::Trace(std::sync::Arc::new(set)))
            .map_err(|e| e.to_string()),
        "status" => StatusSet::parse(value)
            .map(Expr::Status)
            .map_err(|e| e.to_string()),
        "signal" | "signals" | "s" => SignalSet::parse(value)
            .map(Expr::Signal)
            .map_err(|e| e.to_string()),
        other => Err(format!(
            "unknown qualifier `{other}`: sysfence supports trace=, status= and signal="
        )),
    }
}

fn parse_interruptible(s: &str) -> Result<u8, String> {
    match s {
        "1" | "anywhere" | "always" => Ok(1),
        "2" | "waiting" => Ok(2),
        "3" | "never" => Ok(3),
        "4" | "never_tstp" => Ok(4),
        _ => Err(format!(
            "invalid -I argument `{s}`: use 1 (anywhere), 2 (waiting), 3 (never) or 4 (never_tstp)"
        )),
    }
}

fn parse_style(s: &str) -> Result<Style, String> {
    match s {
        "raw" => Ok(Style::Raw),
        "abbrev" => Ok(Style::Abbrev),
        "verbose" => Ok(Style::Verbose),
        _ => Err(format!(
            "unknown -X format `{s}`: use raw, abbrev or verbose"
        )),
    }
}

fn parse_pids(s: &str) -> Result<Vec<i32>, String> {
    let pids: Vec<i32> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<i32>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("`{p}` is not a process id (give a positive number)"))
        })
        .collect::<Result<_, _>>()?;
    if pids.is_empty() {
        return Err("no process id given (is the `pidof` result empty?)".into());
    }
    Ok(pids)
}

/// A writer several sinks share (`-C` with `-o`: trace then summary in one file).
#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl SharedWriter {
    fn new(out: impl Write + Send + 'static) -> SharedWriter {
        SharedWriter(Arc::new(Mutex::new(Box::new(BufWriter::with_capacity(
            1 << 16,
            out,
        )))))
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, Box<dyn Write + Send>> {
        // A panic elsewhere cannot leave a BufWriter unusable: take it regardless.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lock().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.lock().write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.lock().flush()
    }
}

/// Prints strace's attach/detach notices on stderr (through the trace's own buffer when
/// the trace goes to stderr too, so the two stay in order).
struct Notices(Box<dyn Write + Send>);

impl Sink for Notices {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        match render::notice_line("sysfence", ev) {
            Some(line) => self.0.write_all(line.as_bytes()),
            None => Ok(()),
        }
    }
    fn idle(&mut self) -> io::Result<()> {
        self.0.flush()
    }
    fn finish(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The -P paths as given and, when different, as resolved (strace matches both).
fn trace_paths(paths: &[PathBuf]) -> Vec<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let mut out = Vec::new();
    for p in paths {
        out.push(p.as_os_str().as_bytes().to_vec());
        if let Ok(real) = std::fs::canonicalize(p) {
            out.push(real.as_os_str().as_bytes().to_vec());
        }
    }
    out.dedup();
    out
}

/// Decides on the seccomp-bpf fast path: asked for with --seccomp-bpf, or automatic when
/// -e trace= narrows the set for a command we start.
fn configure_seccomp(
    builder: &mut TracerBuilder,
    args: &Args,
    set: Option<&SyscallSet>,
    starting: bool,
) {
    let native = syscalls::Arch::native();
    let narrows = set.is_some_and(|s| s.numbers(native).len() < native.table().entries().len());
    if !starting {
        if args.seccomp_bpf || (narrows && args.quiet == 0) {
            diag!(
                "sysfence: the seccomp-bpf fast path cannot be used with -p (a filter cannot be added to a running process); every syscall stops the tracee"
            );
        }
        return;
    }
    // As strace: the filter is inherited by children, whose SECCOMP_RET_TRACE stops
    // only a tracer following them can answer, so the fast path needs -f. (Following
    // them without -f would make them untraceable by anyone else: no PTRACE_TRACEME,
    // no debugger, `Seccomp: 2` in their status.)
    if args.follow == 0 {
        if args.seccomp_bpf {
            diag!("sysfence: --seccomp-bpf cannot be used without -f/--follow-forks, disabling");
        }
        return;
    }
    if !(args.seccomp_bpf || narrows) {
        return;
    }
    let selected = |arch, nr| set.is_none_or(|s| s.contains(arch, nr));
    match builder.seccomp_bpf(&selected) {
        Ok(()) => {}
        Err(_) if args.quiet > 0 => {}
        Err(seccomp::CompileError::TooLong(n)) => diag!(
            "sysfence: the -e trace= set needs a seccomp filter of {n} instructions, more than the kernel's 4096; every syscall stops the tracee; select fewer syscalls to use the fast path"
        ),
        Err(e) => diag!(
            "sysfence: the seccomp-bpf fast path is not available ({e}); every syscall stops the tracee"
        ),
    }
}

/// strace's `-I` and its defaults: a trace to `-o FILE` of a command it starts is not
/// interactive, so the fatal signals are ignored (`timeout` or `kill` of the tracer do
/// not end the trace, and a `|CMD` reader that goes away is reported); otherwise they
/// end tracing cleanly.
fn interrupts(args: &Args, starting: bool) -> ptrace::Interrupts {
    match args.interruptible {
        Some(1) => ptrace::Interrupts::Anywhere,
        Some(2) => ptrace::Interrupts::WhileWaiting,
        Some(3) => ptrace::Interrupts::Never,
        Some(_) => ptrace::Interrupts::NeverTstp,
        None if args.output.is_some() && starting => ptrace::Interrupts::Never,
        None => ptrace::Interrupts::WhileWaiting,
    }
}

/// A usage error as strace reports one: the problem, then where to read more.
fn usage(problem: &str) -> anyhow::Error {
    anyhow::anyhow!("{problem}\nTry 'sysfence trace -h' for more information.")
}

/// strace's checks of option combinations: the same errors (exit status 1) and the
/// same warnings, in the same words.
fn check_options(args: &Args) -> Result<()> {
    let summary = args.summary_only || args.summary_too;
    if args.summary_only && args.summary_too {
        return Err(usage(
            "-c/--summary-only and -C/--summary are mutually exclusive",
        ));
    }
    if args.follow >= 2 && args.output.is_some() && summary {
        return Err(usage(
            "(-c/--summary-only or -C/--summary) and -ff/--output-separately are mutually exclusive",
        ));
    }
    if args.wall && !summary {
        return Err(usage(
            "-w/--summary-wall-clock must be given with (-c/--summary-only or -C/--summary)",
        ));
    }
    if args.sort.is_some() && !summary {
        diag!(
            "sysfence: -S/--summary-sort-by has no effect without (-c/--summary-only or -C/--summary)"
        );
    }
    if args.summary_only {
        let ignored = [
            (args.ip, "-i/--instruction-pointer"),
            (args.relative, "-r/--relative-timestamps"),
            (args.time > 0, "-t/--absolute-timestamps"),
            (args.durations, "-T/--syscall-times"),
            (args.decode_fds > 0, "-y/--decode-fds"),
        ];
        for (_, name) in ignored.iter().filter(|(given, _)| *given) {
            diag!("sysfence: {name} has no effect with -c/--summary-only");
        }
    }
    if args.output.is_none() && args.append {
        diag!("sysfence: -A/--output-append-mode has no effect without -o/--output");
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let pids: Vec<i32> = args.pids.iter().flatten().copied().collect();
    // As strace: with -o FILE and a command to start, attach notices are off unless asked.
    let quiet = if args.quiet == 0 && args.output.is_some() && pids.is_empty() {
        1
    } else {
        args.quiet
    };
    check_options(&args)?;
    let out_target = args.output.as_deref().map(StreamTarget::parse);
    if args.follow >= 2 && matches!(out_target, Some(StreamTarget::Pipe(_))) {
        bail!("piping the output and -ff are mutually exclusive: give -ff a FILE for FILE.PID");
    }
    let mut trace_set = None;
    let mut status = StatusSet::all();
    let mut signals = SignalSet::all();
    for e in &args.exprs {
        match e {
            Expr::Trace(set) => trace_set = Some(set.clone()),
            Expr::Status(s) => status = *s,
            Expr::Signal(s) => signals = *s,
        }
    }
    let decoder = Arc::new(Decoder::new(DecodeOptions {
        strsize: args.strsize,
        hex: match args.hex {
            0 => Hex::None,
            1 => Hex::NonAscii,
            _ => Hex::All,
        },
        verbose: args.verbose,
        style: args.style,
        decode_fds: args.decode_fds > 0,
        decode_sockets: args.decode_fds > 1,
        trace_paths: trace_paths(&args.paths),
    }));

    // -ff splits strace text per task; JSON objects carry their pid and tid, so JSON
    // always goes to the one -o file.
    // -ff without -o is -f, as strace's.
    let separate = args.follow >= 2 && args.output.is_some() && !args.json;
    // Every output is opened (or, for -ff, known to be creatable) before the command
    // starts, so a typo in -o never costs a run.
    let mut reader = None;
    let shared: SharedWriter = match (&out_target, separate) {
        (Some(target), false) => {
            let (writer, pipe) = Stream::open(target, args.append)?.into_parts();
            reader = Some(pipe);
            SharedWriter::new(writer)
        }
        (Some(StreamTarget::File(base)), true) => {
            check_creatable_in(base)?;
            SharedWriter::new(StreamWriter::stderr())
        }
        _ => {
            output::watch_stderr_reader();
            SharedWriter::new(StreamWriter::stderr())
        }
    };
    let mut sinks: Vec<Box<dyn Sink + Send>> = Vec::new();
    // Notices go to stderr; when the text trace goes there too, it prints them itself so
    // that they never land inside an open line.
    let text_on_stderr =
        args.output.is_none() && !args.json && (!args.summary_only || args.summary_too);
    // JSON Lines on stderr stay JSON: no human notice ever lands among them.
    let json_on_stderr = args.json && args.output.is_none() && !args.summary_only;
    if quiet == 0 && !text_on_stderr && !json_on_stderr {
        let out: Box<dyn Write + Send> = if args.output.is_some() {
            Box::new(StreamWriter::stderr())
        } else {
            Box::new(shared.clone())
        };
        sinks.push(Box::new(Notices(out)));
    }
    let print_trace = !args.summary_only || args.summary_too;
    if print_trace {
        if args.json {
            sinks.push(Box::new(JsonSink::new(
                decoder.clone(),
                Box::new(shared.clone()),
                status,
                signals,
            )));
        } else {
            let pid_prefix = if separate {
                PidPrefix::Never
            } else if args.output.is_some() {
                if args.follow > 0 || pids.len() > 1 {
                    PidPrefix::Always
                } else {
                    PidPrefix::Never
                }
            } else {
                PidPrefix::WhenSeveral
            };
            let opts = TextOptions {
                pid_prefix,
                time: match args.time {
                    0 => TimeFormat::None,
                    1 => TimeFormat::Seconds,
                    2 => TimeFormat::Micros,
                    _ => TimeFormat::Epoch,
                },
                relative: args.relative,
                durations: args.durations,
                ip: args.ip,
                column: args.column,
                status,
                signals,
                quiet_exit: quiet >= 2,
                notices: (quiet == 0 && text_on_stderr).then_some("sysfence"),
                utc_offset: render::dates::utc_offset_now(),
                personality_notices: quiet == 0,
            };
            let output = match (&args.output, separate) {
                (Some(base), true) => {
                    let (base, append) = (base.clone(), args.append);
                    TextOutput::PerTask(Box::new(move |tid| {
                        Box::new(output::open_task_file(&base, tid, append))
                    }))
                }
                _ => TextOutput::Single(Box::new(shared.clone())),
            };
            sinks.push(Box::new(TextSink::new(decoder.clone(), opts, output)));
        }
    }
    if args.summary_only || args.summary_too {
        let out: Box<dyn Write + Send> = if separate {
            Box::new(StreamWriter::stderr())
        } else {
            Box::new(shared.clone())
        };
        sinks.push(Box::new(SummarySink::new(
            decoder.clone(),
            out,
            args.wall,
            args.sort.unwrap_or(SortBy::Time),
        )));
    }

    let mut builder = TracerBuilder::new()
        .interrupts(interrupts(&args, pids.is_empty()))
        .follow_forks(args.follow > 0)
        .follow_cpu(!args.no_follow_cpu)
        .cpu_times((args.summary_only || args.summary_too) && !args.wall);
    configure_seccomp(&mut builder, &args, trace_set.as_deref(), pids.is_empty());
    if print_trace {
        builder = builder.capture_plan(Box::new(decoder.clone()));
    }
    if let Some(set) = trace_set {
        builder = builder.select(Box::new(move |arch, nr| set.contains(arch, nr)));
    }
    let target = if pids.is_empty() {
        Target::Command(args.command.clone())
    } else {
        Target::Attach(pids)
    };
    // With a CPU to spare, decoding and printing run on a thread of their own, in
    // parallel with the tracer's handling of the next stops (a -c summary alone is
    // cheaper to count in place than to hand over).
    let tee = Tee::new(sinks);
    let spare_cpu = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let mut sink: Box<dyn Sink> = if print_trace && spare_cpu {
        Box::new(Pipelined::spawn(Box::new(tee)).context("cannot start the output thread")?)
    } else {
        Box::new(tee)
    };
    let outcome = builder.build().run(target, sink.as_mut())?;
    drop(sink);
    shared.clone().flush().ok();
    // The pipe's reader sees EOF only once the last writer is gone.
    drop(shared);
    if let Some(reader) = reader {
        reader.wait();
    }
    // The last lines met a closed pipe on stderr: end as strace does, by that SIGPIPE.
    if let Some(sig) = ptrace::pending_signal() {
        ptrace::die_by(sig);
    }
    match outcome {
        Outcome::Exited(code) => Ok(ExitCode::from(code as u8)),
        Outcome::Killed(sig) | Outcome::Interrupted(sig) => ptrace::die_by(sig),
        Outcome::Done => Ok(ExitCode::SUCCESS),
    }
}
