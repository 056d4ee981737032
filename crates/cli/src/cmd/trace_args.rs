//! `sysfence trace`'s command line: strace 7.2's short and long options, same spellings,
//! same value syntax, same checks. [`Args`] is what clap parses; [`Settings`] is what the
//! options mean once the short and long spellings of one option are merged.

use super::trace::usage;
use crate::output::diag;
use anyhow::Result;
use clap::ArgAction;
use render::SortBy;
use render::TimeFormat;
use render::decode::PerCall;
use render::escape::Hex;
use render::select::{SignalSet, StatusSet, SyscallSet};
use render::xlat::Style;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `sysfence trace` (strace's flags, same meaning).
#[derive(clap::Args)]
#[command(
    infer_long_args = true,
    after_help = "Examples:
  sysfence trace ls -la /                      # every syscall of ls
  sysfence trace -f -o out.txt sh -c 'echo hi | wc -c'
  sysfence trace -ff -o trace sh -c 'date; id'  # trace.PID per task
  sysfence trace -e trace=%file,close cat /etc/hostname
  sysfence trace -e trace='!/^(mmap|mprotect)$' true
  sysfence trace -c dd if=/dev/zero of=/dev/null count=100
  sysfence trace -p \"$(pidof sshd)\"            # attach; Ctrl-C detaches, sshd keeps running
  sysfence trace --json -o events.jsonl make
  sysfence trace --follow-forks --output=x --trace=%file --summary-only make   # strace's long options

Long options may be abbreviated where unambiguous, as getopt_long allows.

Exit status: the traced command's; when it was killed by signal N, sysfence kills itself
with N so that a shell sees 128+N. Usage errors exit with 1, as strace's.",
    override_usage = "sysfence trace [OPTIONS] -p PID...\n       sysfence trace [OPTIONS] [--] COMMAND [ARGS]..."
)]
pub struct Args {
    /// Follow forks, vforks, clones and threads; twice (-ff) with -o FILE writes FILE.PID per task.
    #[arg(short = 'f', action = ArgAction::Count)]
    follow: u8,
    /// Follow forks, vforks, clones and threads (-f).
    #[arg(long = "follow-forks")]
    follow_forks: bool,
    /// With -o FILE, write each task's trace to FILE.PID (the second f of -ff).
    #[arg(long = "output-separately")]
    output_separately: bool,
    /// Write the trace to FILE instead of stderr (created or truncated, written as the
    /// trace goes); `|CMD` or `!CMD` pipes it into the shell command CMD.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Append to the -o file (and to -ff's FILE.PID files) instead of truncating it.
    #[arg(short = 'A', long = "output-append-mode")]
    append: bool,
    /// Count time, calls and errors per syscall and print a summary instead of the trace.
    #[arg(short = 'c', long = "summary-only")]
    summary_only: bool,
    /// Like -c, but also print the regular trace.
    #[arg(short = 'C', long = "summary")]
    summary_too: bool,
    /// Sort the -c summary by time (default), calls, errors, name or nothing.
    #[arg(short = 'S', long = "summary-sort-by", value_name = "SORTBY")]
    sort: Option<SortBy>,
    /// Summarise wall-clock time between syscall entry and exit instead of system time.
    #[arg(short = 'w', long = "summary-wall-clock")]
    wall: bool,
    /// Qualifying expression: trace=SET, status=SET, signal=SET, quiet=SET,
    /// decode-fds=SET, raw=SET, abbrev=SET, verbose=SET (SET: names, %class, /regex,
    /// !negation, all, none). A bare SET means trace=SET.
    #[arg(short = 'e', value_name = "EXPR", value_parser = parse_expr)]
    exprs: Vec<Expr>,
    /// Trace only the syscalls in SET (-e trace=SET).
    #[arg(long = "trace", value_name = "SET", value_parser = parse_trace_set)]
    trace_long: Vec<Expr>,
    /// Print only the signals in SET (-e signal=SET).
    #[arg(long = "signals", value_name = "SET", value_parser = parse_signal_set)]
    signals_long: Vec<Expr>,
    /// Print the arguments and return values of the syscalls in SET undecoded, in hex
    /// (-e raw=SET).
    #[arg(long = "raw", value_name = "SET", value_parser = parse_raw_set)]
    raw_long: Vec<Expr>,
    /// Abbreviate the structures of the syscalls in SET (-e abbrev=SET; default all, -v
    /// is none).
    #[arg(long = "abbrev", value_name = "SET", value_parser = parse_abbrev_set)]
    abbrev_long: Vec<Expr>,
    /// Dereference the structures of the syscalls in SET; the others print their
    /// addresses (-e verbose=SET; default all).
    #[arg(long = "verbose", value_name = "SET", value_parser = parse_verbose_set)]
    verbose_long: Vec<Expr>,
    /// Print only the calls whose outcome is in SET: successful, failed, unfinished,
    /// unavailable, detached (-e status=SET).
    #[arg(long = "status", value_name = "SET", value_parser = parse_status_set)]
    status_long: Vec<Expr>,
    /// Prefix lines with the wall-clock time; -tt adds microseconds, -ttt prints seconds since the epoch.
    #[arg(short = 't', action = ArgAction::Count)]
    time: u8,
    /// Prefix lines with a timestamp: [format:]none|time|unix and [precision:]s|ms|us|ns,
    /// comma separated (no value: format:time, as -t).
    #[arg(
        long = "absolute-timestamps",
        visible_alias = "timestamps",
        value_name = "FORMAT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    timestamps: Option<String>,
    /// Prefix lines with the time since the previous line.
    #[arg(short = 'r')]
    relative: bool,
    /// -r with a precision: s, ms, us (default) or ns.
    #[arg(
        long = "relative-timestamps",
        value_name = "PRECISION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    relative_long: Option<String>,
    /// Show the time spent in each syscall (<seconds>).
    #[arg(short = 'T')]
    durations: bool,
    /// -T with a precision: s, ms, us (default) or ns.
    #[arg(
        long = "syscall-times",
        value_name = "PRECISION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    durations_long: Option<String>,
    /// Print at most STRSIZE bytes of each string (default 32); paths are never cut.
    #[arg(
        short = 's',
        long = "string-limit",
        value_name = "STRSIZE",
        default_value_t = 32
    )]
    strsize: usize,
    /// Print the path a file descriptor refers to after it: 3</etc/passwd>; -yy prints
    /// socket endpoints: 3<TCP:[127.0.0.1:5000->127.0.0.1:80]>.
    #[arg(short = 'y', action = ArgAction::Count)]
    decode_fds: u8,
    /// What to print about descriptors: path (-y), all (-yy: also sockets, devices,
    /// pidfds), none; no value: path.
    #[arg(
        long = "decode-fds",
        value_name = "SET",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "path"
    )]
    decode_fds_long: Option<String>,
    /// Trace only syscalls that touch PATH, by name or through a file descriptor (repeatable).
    #[arg(short = 'P', long = "trace-path", value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print non-ASCII strings in hex; -xx prints every string in hex.
    #[arg(short = 'x', action = ArgAction::Count)]
    hex: u8,
    /// Strings in hex: all (-xx), non-ascii (-x), non-ascii-chars (only those bytes, as
    /// \xNN), none; no value: all.
    #[arg(
        long = "strings-in-hex",
        value_name = "WHICH",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "all"
    )]
    hex_long: Option<String>,
    /// Print structures, argv and envp unabbreviated.
    #[arg(short = 'v', long = "no-abbrev")]
    verbose: bool,
    /// Suppress attach/detach and personality messages; -qq also exit status lines,
    /// -qqq every message.
    #[arg(short = 'q', action = ArgAction::Count)]
    quiet: u8,
    /// Suppress the messages in SET: attach, exit, personality, superseded
    /// (thread-execve), path-resolution, all, none; no value: attach,personality (-q).
    #[arg(
        long = "quiet",
        visible_aliases = ["silent", "silence"],
        value_name = "SET",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "attach,personality"
    )]
    quiet_long: Option<String>,
    /// Print the instruction pointer at the time of each syscall.
    #[arg(short = 'i', long = "instruction-pointer")]
    ip: bool,
    /// Align return values at COLUMN (default 40).
    #[arg(
        short = 'a',
        long = "columns",
        value_name = "COLUMN",
        default_value_t = 40
    )]
    column: usize,
    /// How named constants print: raw (numbers), abbrev (names, default) or verbose (both).
    #[arg(short = 'X', long = "const-print-style", value_name = "FORMAT", value_parser = parse_style, default_value = "abbrev")]
    style: Style,
    /// Attach to process PID (repeatable; also comma- or space-separated lists). Ctrl-C detaches and the process keeps running.
    #[arg(short = 'p', long = "attach", value_name = "PID", value_parser = parse_pids, conflicts_with = "command")]
    pids: Vec<Vec<i32>>,
    /// When SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE end tracing, as strace's -I:
    /// 1 or anywhere (at once), 2 or waiting (cleanly, while waiting for the tracees: the
    /// default), 3 or never (they are ignored: the default for -o FILE COMMAND), 4 or
    /// never_tstp (and SIGTSTP, ^Z, too).
    #[arg(short = 'I', long = "interruptible", value_name = "N", value_parser = parse_interruptible)]
    interruptible: Option<u8>,
    /// Print JSON Lines (schema v1, one object per event) instead of strace text.
    #[arg(long)]
    json: bool,
    /// What traces: ptrace (strace's way: every option) or ebpf (the probes of
    /// `sysfence watch`: the program never stops, children are followed in the kernel;
    /// one captured argument per call, 256 bytes at most; no --kill-on-exit).
    #[arg(long, value_enum, default_value = "ptrace")]
    backend: Backend,
    /// Run the detection rules of FILE (repeatable; `sysfence rules check FILE`) over
    /// the events as --json gives them, and print each alert after its event: a line
    /// `[pid N] +++ ALERT ID SEVERITY NAME: FIELDS +++`, or with --json the alert object.
    /// The built-in rules run only under `sysfence watch`.
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Stop the tracee only for the syscalls -e trace= selects, with a seccomp filter
    /// (automatic when -e trace= narrows the set for a command sysfence starts with -f).
    /// Needs -f, as strace's: the filter is inherited by children, which must be
    /// followed; the traced tree is killed if sysfence dies. Not possible with -p.
    #[arg(long = "seccomp-bpf")]
    seccomp_bpf: bool,
    /// Kill every tracee when sysfence exits (PTRACE_O_EXITKILL), attached ones too.
    #[arg(long = "kill-on-exit")]
    kill_on_exit: bool,
    /// Leave CPU placement to the scheduler. By default sysfence keeps itself and the
    /// command it starts on one CPU (a ptrace stop costs several times more across CPUs):
    /// the command, and its children under -f, are pinned to sysfence's CPU while
    /// single-threaded (sched_getaffinity still answers the mask they had before; only
    /// /proc/PID/status shows the pin); a process that creates a thread or sets its own
    /// affinity keeps its own. With -p only sysfence moves, to its tracee's CPU.
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

/// One qualifying expression (`-e KEY=SET` or its long option).
#[derive(Clone)]
pub enum Expr {
    /// trace=SET.
    Trace(Arc<SyscallSet>),
    /// status=SET.
    Status(StatusSet),
    /// signal=SET.
    Signal(SignalSet),
    /// quiet=SET.
    Quiet(Quiet),
    /// decode-fds=SET, as a -y level.
    DecodeFds(u8),
    /// raw=SET: calls printed undecoded.
    Raw(Arc<SyscallSet>),
    /// abbrev=SET: calls whose structures print abbreviated.
    Abbrev(Arc<SyscallSet>),
    /// verbose=SET: calls whose structures print dereferenced.
    Verbose(Arc<SyscallSet>),
}

fn parse_expr(s: &str) -> Result<Expr, String> {
    let (key, value) = s.split_once('=').unwrap_or(("trace", s));
    match key {
        "trace" | "t" => parse_trace_set(value),
        "status" => parse_status_set(value),
        "signal" | "signals" | "s" => parse_signal_set(value),
        "quiet" | "silent" | "silence" | "q" => Quiet::parse(value).map(Expr::Quiet),
        "decode-fds" | "decode-fd" => decode_fd_level(value).map(Expr::DecodeFds),
        "raw" | "x" => parse_raw_set(value),
        "abbrev" | "a" => parse_abbrev_set(value),
        "verbose" | "v" => parse_verbose_set(value),
        other => Err(format!(
            "unknown qualifier `{other}`: sysfence supports trace=, status=, signal=, quiet=, decode-fds=, raw=, abbrev= and verbose="
        )),
    }
}

fn parse_trace_set(s: &str) -> Result<Expr, String> {
    SyscallSet::parse(s)
        .map(|set| Expr::Trace(Arc::new(set)))
        .map_err(|e| e.to_string())
}

/// A syscall set as `-e trace=` reads it, for the qualifier `make` builds.
fn parse_call_set(s: &str, make: fn(Arc<SyscallSet>) -> Expr) -> Result<Expr, String> {
    SyscallSet::parse(s)
        .map(|set| make(Arc::new(set)))
        .map_err(|e| e.to_string())
}

fn parse_raw_set(s: &str) -> Result<Expr, String> {
    parse_call_set(s, Expr::Raw)
}

fn parse_abbrev_set(s: &str) -> Result<Expr, String> {
    parse_call_set(s, Expr::Abbrev)
}

fn parse_verbose_set(s: &str) -> Result<Expr, String> {
    parse_call_set(s, Expr::Verbose)
}

fn parse_status_set(s: &str) -> Result<Expr, String> {
    StatusSet::parse(s)
        .map(Expr::Status)
        .map_err(|e| e.to_string())
}

fn parse_signal_set(s: &str) -> Result<Expr, String> {
    SignalSet::parse(s)
        .map(Expr::Signal)
        .map_err(|e| e.to_string())
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

/// Which of strace's messages are suppressed (`-q`, `-e quiet=`, `--quiet=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quiet {
    /// "Process N attached/detached".
    pub attach: bool,
    /// "+++ exited with N +++" and "+++ killed by SIG +++".
    pub exit: bool,
    /// "[ Process PID=N runs in 32 bit mode. ]".
    pub personality: bool,
    /// "+++ superseded by execve in pid N +++".
    pub superseded: bool,
}

impl Quiet {
    /// strace's sets: attach, exit(s), personality, superseded (thread-execve),
    /// path-resolution (sysfence prints no such message), all, none, `!` negation.
    fn parse(text: &str) -> Result<Quiet, String> {
        let (negate, list) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut q = Quiet::default();
        for name in list.split(',').filter(|n| !n.is_empty()) {
            match name {
                "attach" => q.attach = true,
                "exit" | "exits" => q.exit = true,
                "personality" => q.personality = true,
                "superseded" | "thread-execve" => q.superseded = true,
                "path-resolution" => {}
                "all" => q = Quiet::all(),
                "none" => q = Quiet::default(),
                other => {
                    return Err(format!(
                        "invalid quiet qualifier `{other}`: use attach, exit, personality, superseded, path-resolution, all or none"
                    ));
                }
            }
        }
        Ok(if negate { q.inverse() } else { q })
    }

    fn all() -> Quiet {
        Quiet {
            attach: true,
            exit: true,
            personality: true,
            superseded: true,
        }
    }

    fn inverse(self) -> Quiet {
        Quiet {
            attach: !self.attach,
            exit: !self.exit,
            personality: !self.personality,
            superseded: !self.superseded,
        }
    }

    /// `-q`, `-qq`, `-qqq`.
    fn level(n: u8) -> Quiet {
        let mut q = Quiet::default();
        if n >= 1 {
            q.attach = true;
            q.personality = true;
        }
        if n >= 2 {
            q.exit = true;
        }
        if n >= 3 {
            q = Quiet::all();
        }
        q
    }
}

/// `--decode-fds=SET` as a -y level: path is 1; socket, dev, pidfd, signalfd or all
/// are 2 (sysfence prints those with the paths, as -yy); none is 0.
fn decode_fd_level(text: &str) -> Result<u8, String> {
    let mut level = 0;
    for name in text.split(',').filter(|n| !n.is_empty()) {
        level = match name {
            "none" => 0,
            "path" => level.max(1),
            "socket" | "dev" | "pidfd" | "signalfd" | "all" => 2,
            other => {
                return Err(format!(
                    "invalid decode-fds qualifier `{other}`: use path, socket, dev, pidfd, signalfd, all or none"
                ));
            }
        };
    }
    Ok(level)
}

/// Digits after the point for strace's precision names (empty: the default, us).
fn precision(text: &str, what: &str) -> Result<u8> {
    match text {
        "" | "us" => Ok(6),
        "s" => Ok(0),
        "ms" => Ok(3),
        "ns" => Ok(9),
        other => Err(usage(&format!(
            "invalid {what} argument: '{other}' (use s, ms, us or ns)"
        ))),
    }
}

/// strace's --absolute-timestamps value: `[format:]none|time|unix` and
/// `[precision:]s|ms|us|ns`, comma separated; `base` is what -t... set already.
fn absolute_timestamps(text: &str) -> Result<TimeFormat> {
    let mut unix = None;
    let mut digits = None;
    let bad = || usage(&format!("invalid --absolute-timestamps argument: '{text}'"));
    for token in text.split(',').filter(|t| !t.is_empty()) {
        let lower = token.to_ascii_lowercase();
        let (kind, value) = match lower.split_once(':') {
            Some(("format", v)) => ("format", v.to_string()),
            Some(("precision", v)) => ("precision", v.to_string()),
            Some(_) => return Err(bad()),
            None => ("either", lower.clone()),
        };
        match (kind, value.as_str()) {
            ("format" | "either", "none") => unix = Some(None),
            ("format" | "either", "time") => unix = Some(Some(false)),
            ("format" | "either", "unix") => unix = Some(Some(true)),
            ("precision" | "either", p @ ("s" | "ms" | "us" | "ns")) => {
                digits = Some(precision(p, "--absolute-timestamps")?)
            }
            _ => return Err(bad()),
        }
    }
    let digits = digits.unwrap_or(0);
    Ok(match unix.unwrap_or(Some(false)) {
        None => TimeFormat::None,
        Some(false) => TimeFormat::Clock(digits),
        Some(true) => TimeFormat::Unix(digits),
    })
}

/// What the options mean, short and long spellings merged and checked.
pub struct Settings {
    /// Follow children and threads.
    pub follow: bool,
    /// One output file per task (-ff, --output-separately, with -o).
    pub separately: bool,
    /// The -o argument.
    pub output: Option<PathBuf>,
    /// -A.
    pub append: bool,
    /// -c.
    pub summary_only: bool,
    /// -C.
    pub summary_too: bool,
    /// -S.
    pub sort: SortBy,
    /// -w.
    pub wall: bool,
    /// -e trace=.
    pub trace_set: Option<Arc<SyscallSet>>,
    /// -e status=.
    pub status: StatusSet,
    /// -e signal=.
    pub signals: SignalSet,
    /// -t and --absolute-timestamps.
    pub time: TimeFormat,
    /// -r (digits of its precision).
    pub relative: Option<u8>,
    /// -T (digits of its precision).
    pub durations: Option<u8>,
    /// -s.
    pub strsize: usize,
    /// -y level: 0, 1 (paths), 2 (also sockets, devices, pidfds).
    pub decode_fds: u8,
    /// -P.
    pub paths: Vec<PathBuf>,
    /// -x.
    pub hex: Hex,
    /// -v.
    pub verbose: bool,
    /// -e raw=, -e abbrev=, -e verbose= (the last of each).
    pub per_call: PerCall,
    /// The messages suppressed.
    pub quiet: Quiet,
    /// -i.
    pub ip: bool,
    /// -a.
    pub column: usize,
    /// -X.
    pub style: Style,
    /// -p, flattened.
    pub pids: Vec<i32>,
    /// -I.
    pub interruptible: Option<u8>,
    /// --json.
    pub json: bool,
    /// --backend.
    pub backend: Backend,
    /// --rules.
    pub rules: Vec<PathBuf>,
    /// --seccomp-bpf.
    pub seccomp_bpf: bool,
    /// --kill-on-exit.
    pub kill_on_exit: bool,
    /// --no-follow-cpu.
    pub no_follow_cpu: bool,
    /// The command.
    pub command: Vec<OsString>,
}

/// `--backend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// ptrace: the tracee stops at each traced call.
    Ptrace,
    /// eBPF probes: the tracee never stops.
    Ebpf,
}

impl Args {
    /// Merges the spellings and checks the combinations as strace does: the same
    /// errors (exit status 1, with strace's "Try" line) and warnings, in its words.
    pub fn settings(self) -> Result<Settings> {
        let summary = self.summary_only || self.summary_too;
        if self.summary_only && self.summary_too {
            return Err(usage(
                "-c/--summary-only and -C/--summary are mutually exclusive",
            ));
        }
        let follow = self.follow > 0 || self.follow_forks;
        let separately = (self.follow >= 2 || self.output_separately) && self.output.is_some();
        if separately && summary {
            return Err(usage(
                "(-c/--summary-only or -C/--summary) and -ff/--output-separately are mutually exclusive",
            ));
        }
        if self.wall && !summary {
            return Err(usage(
                "-w/--summary-wall-clock must be given with (-c/--summary-only or -C/--summary)",
            ));
        }
        if self.sort.is_some() && !summary {
            diag!(
                "sysfence: -S/--summary-sort-by has no effect without (-c/--summary-only or -C/--summary)"
            );
        }
        let time = self.time_format()?;
        let relative = match (&self.relative_long, self.relative) {
            (Some(p), _) => Some(precision(p, "--relative-timestamps")?),
            (None, true) => Some(6),
            (None, false) => None,
        };
        let durations = match (&self.durations_long, self.durations) {
            (Some(p), _) => Some(precision(p, "--syscall-times")?),
            (None, true) => Some(6),
            (None, false) => None,
        };
        let mut decode_fds = self.decode_fds.min(2);
        if let Some(set) = &self.decode_fds_long {
            if self.decode_fds > 0 {
                return Err(usage(
                    "-y and --decode-fds cannot be provided simultaneously",
                ));
            }
            decode_fds = decode_fd_level(set).map_err(|e| usage(&e))?;
        }
        let hex = self.hex_setting()?;
        if self.summary_only {
            let ignored = [
                (self.ip, "-i/--instruction-pointer"),
                (relative.is_some(), "-r/--relative-timestamps"),
                (time != TimeFormat::None, "-t/--absolute-timestamps"),
                (durations.is_some(), "-T/--syscall-times"),
                (decode_fds > 0, "-y/--decode-fds"),
            ];
            for (_, name) in ignored.iter().filter(|(given, _)| *given) {
                diag!("sysfence: {name} has no effect with -c/--summary-only");
            }
        }
        if self.output.is_none() {
            if self.output_separately && !follow {
                diag!("sysfence: --output-separately has no effect without -o/--output");
            }
            if self.append {
                diag!("sysfence: -A/--output-append-mode has no effect without -o/--output");
            }
        }
        let pids: Vec<i32> = self.pids.iter().flatten().copied().collect();
        let mut trace_set = None;
        let mut status = StatusSet::all();
        let mut signals = SignalSet::all();
        let mut quiet_set = None;
        let exprs = self
            .exprs
            .iter()
            .chain(&self.trace_long)
            .chain(&self.signals_long)
            .chain(&self.status_long)
            .chain(&self.raw_long)
            .chain(&self.abbrev_long)
            .chain(&self.verbose_long);
        let mut per_call = PerCall::default();
        for e in exprs {
            match e {
                Expr::Trace(set) => trace_set = Some(set.clone()),
                Expr::Status(s) => status = *s,
                Expr::Signal(s) => signals = *s,
                Expr::Quiet(q) => quiet_set = Some(*q),
                Expr::DecodeFds(level) => decode_fds = *level,
                Expr::Raw(set) => per_call.raw = Some(set.clone()),
                Expr::Abbrev(set) => per_call.abbrev = Some(set.clone()),
                Expr::Verbose(set) => per_call.verbose = Some(set.clone()),
            }
        }
        if let Some(text) = &self.quiet_long {
            quiet_set = Some(Quiet::parse(text).map_err(|e| usage(&e))?);
        }
        if self.quiet > 0 && quiet_set.is_some() {
            return Err(usage(
                "-q and -e quiet/--quiet cannot be provided simultaneously",
            ));
        }
        // As strace: with -o FILE and a command to start, attach and personality
        // notices are off unless asked.
        let quiet = match quiet_set {
            Some(q) => q,
            None if self.quiet == 0 && self.output.is_some() && pids.is_empty() => Quiet::level(1),
            None => Quiet::level(self.quiet),
        };
        Ok(Settings {
            follow,
            separately,
            output: self.output,
            append: self.append,
            summary_only: self.summary_only,
            summary_too: self.summary_too,
            sort: self.sort.unwrap_or(SortBy::Time),
            wall: self.wall,
            trace_set,
            status,
            signals,
            time,
            relative,
            durations,
            strsize: self.strsize,
            decode_fds,
            paths: self.paths,
            hex,
            verbose: self.verbose,
            per_call,
            quiet,
            ip: self.ip,
            column: self.column,
            style: self.style,
            pids,
            interruptible: self.interruptible,
            json: self.json,
            backend: self.backend,
            rules: self.rules,
            seccomp_bpf: self.seccomp_bpf,
            kill_on_exit: self.kill_on_exit,
            no_follow_cpu: self.no_follow_cpu,
            command: self.command,
        })
    }

    fn time_format(&self) -> Result<TimeFormat> {
        match (&self.timestamps, self.time) {
            (Some(_), 1..) => Err(anyhow::anyhow!(
                "-t and --absolute-timestamps cannot be provided simultaneously"
            )),
            (Some(text), 0) => absolute_timestamps(text),
            (None, 0) => Ok(TimeFormat::None),
            (None, 1) => Ok(TimeFormat::Clock(0)),
            (None, 2) => Ok(TimeFormat::Clock(6)),
            (None, _) => Ok(TimeFormat::Unix(6)),
        }
    }

    fn hex_setting(&self) -> Result<Hex> {
        let Some(text) = &self.hex_long else {
            return Ok(match self.hex {
                0 => Hex::None,
                1 => Hex::NonAscii,
                _ => Hex::All,
            });
        };
        if self.hex > 0 {
            return Err(anyhow::anyhow!(
                "-x and --strings-in-hex cannot be provided simultaneously"
            ));
        }
        match text.as_str() {
            "all" => Ok(Hex::All),
            "non-ascii" => Ok(Hex::NonAscii),
            "non-ascii-chars" => Ok(Hex::NonAsciiChars),
            "none" => Ok(Hex::None),
            other => Err(usage(&format!(
                "invalid --strings-in-hex argument: '{other}'"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_timestamps_read_as_strace_reads_them() {
        let cases = [
            ("", TimeFormat::Clock(0)),
            ("format:time", TimeFormat::Clock(0)),
            ("precision:us,format:time", TimeFormat::Clock(6)),
            ("format:unix,precision:us", TimeFormat::Unix(6)),
            ("unix,ns", TimeFormat::Unix(9)),
            ("ms", TimeFormat::Clock(3)),
            ("none", TimeFormat::None),
            ("FORMAT:UNIX", TimeFormat::Unix(0)),
        ];
        for (text, want) in cases {
            assert_eq!(absolute_timestamps(text).unwrap(), want, "{text}");
        }
        assert!(absolute_timestamps("format:us").is_err());
        assert!(absolute_timestamps("bogus").is_err());
    }

    #[test]
    fn quiet_sets_read_as_strace_reads_them() {
        assert_eq!(Quiet::parse("attach,personality").unwrap(), Quiet::level(1));
        assert_eq!(
            Quiet::parse("exit,attach,personality").unwrap(),
            Quiet::level(2)
        );
        assert_eq!(Quiet::parse("all").unwrap(), Quiet::level(3));
        assert_eq!(Quiet::parse("!all").unwrap(), Quiet::default());
        assert!(Quiet::parse("thread-execve").unwrap().superseded);
        assert!(Quiet::parse("bogus").is_err());
    }
}
