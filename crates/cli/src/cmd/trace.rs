//! `sysfence trace`: strace's command line on sysfence's ptrace source and printers.

pub use super::trace_args::Args;
use super::trace_args::{Backend, Settings};
use super::trace_rules::RulesSink;
use crate::output::{self, Stream, StreamTarget, StreamWriter, check_creatable_in, diag};
use anyhow::{Context, Result, bail};
use events::{Event, Pipelined, Sink, Tee};
use ptrace::{Outcome, Target, TracerBuilder};
use render::select::SyscallSet;
use render::{
    DecodeOptions, Decoder, JsonSink, PidPrefix, SummarySink, TextOptions, TextOutput, TextSink,
};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

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
    args: &Settings,
    set: Option<&SyscallSet>,
    starting: bool,
) {
    let native = syscalls::Arch::native();
    let narrows = set.is_some_and(|s| s.numbers(native).len() < native.table().entries().len());
    if !starting {
        if args.seccomp_bpf || (narrows && !args.quiet.attach) {
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
    if !args.follow {
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
        Err(_) if args.quiet.attach => {}
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
fn interrupts(args: &Settings, starting: bool) -> ptrace::Interrupts {
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
pub(super) fn usage(problem: &str) -> anyhow::Error {
    anyhow::anyhow!("{problem}\nTry 'sysfence trace -h' for more information.")
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let args = args.settings()?;
    // Rule files are read before anything starts: a problem is a usage error.
    let rules = match args.rules.as_slice() {
        [] => None,
        files => {
            let mut set = detect::RuleSet::new();
            for file in files {
                super::rules::load(&mut set, file).map_err(|e| usage(&format!("{e:#}")))?;
            }
            Some(set)
        }
    };
    if args.backend == Backend::Ebpf {
        // Before -o replaces a file.
        super::trace_ebpf::Request::refuse(&args)?;
    }
    let pids = args.pids.clone();
    let quiet = args.quiet;
    let out_target = args.output.as_deref().map(StreamTarget::parse);
    if args.separately && matches!(out_target, Some(StreamTarget::Pipe(_))) {
        bail!("piping the output and -ff are mutually exclusive: give -ff a FILE for FILE.PID");
    }
    let (trace_set, status, signals) = (args.trace_set.clone(), args.status, args.signals);
    let decoder = Arc::new(Decoder::new(DecodeOptions {
        strsize: args.strsize,
        hex: args.hex,
        verbose: args.verbose,
        style: args.style,
        decode_fds: args.decode_fds > 0,
        decode_sockets: args.decode_fds > 1,
        trace_paths: trace_paths(&args.paths),
        per_call: args.per_call.clone(),
    }));

    // -ff splits strace text per task; JSON objects carry their pid and tid, so JSON
    // always goes to the one -o file.
    let separate = args.separately && !args.json;
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
    if !quiet.attach && !text_on_stderr && !json_on_stderr {
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
                if args.follow || pids.len() > 1 {
                    PidPrefix::Always
                } else {
                    PidPrefix::Never
                }
            } else {
                PidPrefix::WhenSeveral
            };
            let opts = TextOptions {
                pid_prefix,
                time: args.time,
                relative: args.relative,
                durations: args.durations,
                ip: args.ip,
                column: args.column,
                status,
                signals,
                quiet_exit: quiet.exit,
                notices: (!quiet.attach && text_on_stderr).then_some("sysfence"),
                utc_offset: render::dates::utc_offset_now(),
                personality_notices: !quiet.personality,
                superseded_notices: !quiet.superseded,
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
    // -c alone with the eBPF backend is counted in the kernel: the summary gets the
    // counts at the end, no event.
    let mut counted = None;
    let detecting = rules.is_some();
    if let Some(set) = rules {
        // After the trace's printer: an alert follows the line of its event.
        let json = JsonSink::new(decoder.clone(), Box::new(io::sink()), status, signals);
        let out = Box::new(shared.clone());
        sinks.push(Box::new(RulesSink::new(set, json, out, args.json)));
    }
    if args.summary_only || args.summary_too {
        let out: Box<dyn Write + Send> = if separate {
            Box::new(StreamWriter::stderr())
        } else {
            Box::new(shared.clone())
        };
        let summary = SummarySink::new(decoder.clone(), out, args.wall, args.sort);
        if args.backend == Backend::Ebpf && !print_trace {
            counted = Some(summary);
        } else {
            sinks.push(Box::new(summary));
        }
    }

    let mut builder = TracerBuilder::new()
        .interrupts(interrupts(&args, pids.is_empty()))
        .follow_forks(args.follow)
        .kill_on_exit(args.kill_on_exit)
        .follow_cpu(!args.no_follow_cpu)
        .cpu_times((args.summary_only || args.summary_too) && !args.wall);
    // The probes stop nothing: the fast path and what it says are ptrace's alone.
    if args.backend == Backend::Ptrace {
        configure_seccomp(&mut builder, &args, trace_set.as_deref(), pids.is_empty());
    }
    if print_trace || detecting {
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
    let mut sink: Box<dyn Sink> = if (print_trace || detecting) && spare_cpu {
        Box::new(Pipelined::spawn(Box::new(tee)).context("cannot start the output thread")?)
    } else {
        Box::new(tee)
    };
    let outcome = match args.backend {
        Backend::Ptrace => builder.build().run(target, sink.as_mut())?,
        Backend::Ebpf => {
            let req = super::trace_ebpf::Request::of_trace(&args)?;
            let counted = counted
                .as_mut()
                .map(|c| c as &mut dyn super::trace_ebpf::Counted);
            super::trace_ebpf::run(&req, &decoder, sink.as_mut(), counted)?
        }
    };
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
