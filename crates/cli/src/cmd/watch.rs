//! `sysfence watch`: the whole machine's syscalls through the eBPF engine, the scope and
//! the event selection applied in the kernel, decoded as `trace` decodes them, and every
//! event the ring buffer could not take reported, never dropped silently; the detection
//! rules run over the events, their alerts printed among them.

mod detections;

use crate::output::{Stream, StreamTarget, diag};
use anyhow::{Result, bail};
use detections::Detections;
use ebpf::{
    CmpOp, Counters, ExePattern, ExecEvent, IoUringEvent, Lifecycle, ProcEvent, Record, Scope,
    SyscallEvent, Watcher,
};
use events::Timestamp;
use events::schema::{JsonBody, JsonEvent, JsonTask, SCHEMA_VERSION};
use events::{CapturePlan, Mem, MemReader, SyscallEntry, SyscallExit, SyscallResult};
use render::decode::{DecodeOptions, Decoder};
use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use syscalls::{Arch, Class};

/// Arguments of `sysfence watch`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  sysfence watch --events openat,connect --scope comm=curl
  sysfence watch --events %file,-close --scope uid>=1000 --output json -o events.jsonl
  sysfence watch --scope pid=1234 --duration 10
  sysfence watch --list
  sysfence watch --rules my-rules.yaml --no-default-rules --output json

Filters run in the kernel: calls of tasks outside the scope, and calls not among the
events, never reach sysfence (the summary at the end counts them). Events the ring buffer
could not take are reported as they happen and in the summary, never dropped silently.

Detections: the built-in rules (`sysfence rules list`) and those of each --rules FILE run
over the events; each alert is printed right after the event that raised it (table: EVENT
ALERT:<id>, RET its severity; json: an object with \"type\": \"alert\"), and the summary
counts them. The events the rules need (rules list's EVENTS, and exec, fork and exit, from
which they know each process's executable and parent; for the reverse-shell rule also
socket, accept, connect, dup and close) are captured even when --events leaves them out:
given to the rules, not printed. Without --events everything is captured already.
--no-default-rules (without --rules) runs no rule: the watch then captures and prints
exactly what --events selects. The LD_PRELOAD rule reads exec environments, which only
--exec-env captures.

Needs root and a kernel with BTF.")]
pub struct Args {
    /// The events: syscall names and strace %classes, comma-separated; `-NAME` or
    /// `-%class` excludes (default: every syscall of every ABI).
    #[arg(short = 'e', long, value_name = "LIST", allow_hyphen_values = true)]
    events: Option<Vec<String>>,
    /// Which tasks, as Tracee's --scope (repeatable: separate flags AND; comma values OR):
    /// comm=NAME (or NAME*, *NAME), comm!=NAME, pid=N, pid!=N, tid=N, tid!=N, uid=N (also !=, <, >, <=, >=), tree=PID,
    /// tree!=PID, executable=PATH (or DIR/NAME*, *NAME; also !=), mntns=N, pidns=N (and
    /// !=), container, not-container, container=new, container=ID, container!=ID,
    /// pid=new, follow. sysfence itself is never watched.
    #[arg(short = 's', long = "scope", value_name = "EXPR")]
    scopes: Vec<String>,
    /// table (Tracee's columns: TIME UID COMM PID TID RET EVENT ARGS) or json (JSON Lines,
    /// the schema of `trace --json` with comm, uid, gid, ppid, cgroup_id, mntns, pidns).
    #[arg(long, value_enum, default_value = "table")]
    output: OutputKind,
    /// Write events to FILE (`|cmd` pipes them into a command) instead of stdout.
    #[arg(short = 'o', value_name = "FILE")]
    file: Option<PathBuf>,
    /// Stop after SECS seconds (default: at Ctrl-C, SIGTERM or SIGHUP).
    #[arg(long, value_name = "SECS")]
    duration: Option<f64>,
    /// Print every event that can be watched, with its fields, and exit.
    #[arg(long)]
    list: bool,
    /// Put each exec's environment in its event (`env`), as Tracee's exec-env option:
    /// off by default, environments hold secrets.
    #[arg(long)]
    exec_env: bool,
    /// Also run the detection rules of FILE (repeatable; see `sysfence rules check`). A
    /// file that does not compile stops the watch before anything is attached.
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Leave the built-in rules out: only --rules FILE's run, or none at all.
    #[arg(long = "no-default-rules")]
    no_default_rules: bool,
}

/// How events are written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputKind {
    /// One aligned line per event.
    Table,
    /// One JSON object per line.
    Json,
}

/// The ABIs the probes tell apart.
const ABIS: [Arch; 3] = [Arch::X86_64, Arch::I386, Arch::X32];

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.list {
        list()?;
        return Ok(ExitCode::SUCCESS);
    }
    let selection = match &args.events {
        Some(events) => selection(events)?,
        None => Selection {
            calls: None,
            lifecycle: Lifecycle::ALL,
            filters: Vec::new(),
        },
    };
    let mut scope = Scope::default();
    let mut containers = Containers::new();
    for expr in &args.scopes {
        add_scope(&mut scope, &mut containers, expr)?;
    }
    containers.scope(&mut scope)?;
    if let Some(d) = args.duration
        && !(d.is_finite() && d > 0.0)
    {
        bail!("--duration {d}: give a number of seconds above 0");
    }
    // The probes' object loads (BTF parsed, relocated, maps made) on another thread while
    // the rules compile here: neither needs the other until the probes are configured.
    let prepared = std::thread::spawn(ebpf::Prepared::load);
    // A rule file is read before any output is opened or probe attached; its problem is a
    // usage error (clap's status).
    let detections = match Detections::load(args.no_default_rules, &args.rules) {
        Ok(d) => d,
        Err(err) => {
            diag!("sysfence: {err:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let capture = Capture::of(&selection, detections.as_ref());
    let mut out: Box<dyn Write> = match &args.file {
        Some(file) => Box::new(io::BufWriter::new(
            Stream::open(&StreamTarget::parse(file), false)?
                .writer
                .failing(),
        )),
        None => Box::new(io::BufWriter::new(io::stdout())),
    };
    let select = capture
        .calls
        .as_ref()
        .map(|set| move |arch: Arch, nr: u32| set.contains(&(arch, nr)));
    let mut lifecycle = capture.lifecycle;
    // The rules that read an exec's environment need it captured; it is printed only
    // with --exec-env.
    lifecycle.exec_env = args.exec_env || detections.as_ref().is_some_and(|d| d.lifecycle.exec);
    let prepared = prepared
        .join()
        .map_err(|_| anyhow::anyhow!("the thread loading the probes failed"))??;
    let decoder = Decoder::new(DecodeOptions {
        strsize: 64,
        ..DecodeOptions::default()
    });
    // The events and the rules read the arguments as the decoders print them: the
    // probes capture what the decoders read, as they read it.
    let plan = |arch, nr| decoder.planned_reads(arch, nr);
    let mut watcher = prepared.start(
        &scope,
        select.as_ref().map(|s| s as &dyn Fn(Arch, u32) -> bool),
        lifecycle,
        Some(&plan),
    )?;
    let mut looked_for_watches = Instant::now();
    stop::install();
    let mut l = capture.lifecycle;
    let life: Vec<&str> = LIFECYCLE
        .into_iter()
        .chain(["io_uring"])
        .filter(|n| lifecycle_flag(&mut l, n).is_some_and(|on| *on))
        .collect();
    diag!(
        "sysfence: watch: probes attached ({}{}{}){}; Ctrl-C to stop",
        match &capture.calls {
            Some(set) => format!("{} syscalls selected over x86_64, i386 and x32", set.len()),
            None => "every syscall of x86_64, i386 and x32".to_string(),
        },
        match (&capture.calls, &selection.calls) {
            (Some(all), Some(user)) if all.len() > user.len() =>
                format!(", {} of them for the rules only", all.len() - user.len()),
            _ => String::new(),
        },
        if life.is_empty() {
            String::new()
        } else {
            format!("; {}", life.join(", "))
        },
        match &detections {
            Some(d) => format!("; {} detection rules", d.rules),
            None => String::new(),
        }
    );
    let mut printer = Printer {
        decoder,
        output: args.output,
        clock: Clock::now(),
        header_done: false,
        filters: selection.filters.clone(),
        filtered: 0,
        exec_env: args.exec_env,
        line: Vec::new(),
        printed: Vec::new(),
        shown: capture.shown,
        rules_only: 0,
        detections,
    };
    let deadline = args
        .duration
        .map(|d| Instant::now() + Duration::from_secs_f64(d));
    let mut lost_reported = 0;
    let mut failed = None;
    let mut reader_gone = false;
    while !stop::requested() && deadline.is_none_or(|d| Instant::now() < d) {
        let mut write =
            |r: &Record| deliver(r, &mut printer, &mut out, &mut containers, &mut failed);
        watcher.poll(Duration::from_millis(100), &mut write)?;
        for id in containers.to_exclude.drain(..) {
            watcher.exclude_cgroup(id)?;
        }
        if looked_for_watches.elapsed() >= Duration::from_secs(1) {
            watcher.exclude_other_watches()?;
            looked_for_watches = Instant::now();
        }
        report_lost(&watcher, &mut printer, &mut out, &mut lost_reported)?;
        if let Some(err) = failed.take() {
            if err.kind() == io::ErrorKind::BrokenPipe {
                reader_gone = true;
                break;
            }
            bail!("cannot write events: {}", crate::output::error_text(&err));
        }
        if let Err(err) = out.flush() {
            if err.kind() == io::ErrorKind::BrokenPipe {
                reader_gone = true;
                break;
            }
            bail!("cannot write events: {}", crate::output::error_text(&err));
        }
    }
    // What is still in the ring buffer is delivered before the end, never left there.
    if !reader_gone {
        let mut write =
            |r: &Record| deliver(r, &mut printer, &mut out, &mut containers, &mut failed);
        while watcher.poll(Duration::ZERO, &mut write)? > 0 {}
        report_lost(&watcher, &mut printer, &mut out, &mut lost_reported)?;
    }
    let _ = out.flush();
    let rules = printer
        .detections
        .as_ref()
        .map(|d| (d.fired(), printer.rules_only));
    summarise(
        &watcher.counters(),
        containers.dropped,
        printer.filtered,
        rules,
    );
    Ok(ExitCode::SUCCESS)
}

/// Hands one record on: a new cgroup to the container names, an event to the printer if
/// the container scope keeps it; the first write error is kept in `failed` (and no more
/// is written).
fn deliver(
    r: &Record,
    printer: &mut Printer,
    out: &mut dyn Write,
    containers: &mut Containers,
    failed: &mut Option<io::Error>,
) {
    if let Record::Cgroup(c) = r {
        containers.made(c.id, c.path());
        return;
    }
    if failed.is_none()
        && containers.keeps(r.header().cgroup_id)
        && let Err(err) = printer.record(out, r, containers)
    {
        *failed = Some(err);
    }
}

/// Says in the stream how many events the ring buffer dropped since the last report.
fn report_lost(
    watcher: &Watcher,
    printer: &mut Printer,
    out: &mut dyn Write,
    reported: &mut u64,
) -> io::Result<()> {
    let lost = watcher.lost();
    if lost > *reported {
        printer.lost(out, lost - *reported, lost)?;
        *reported = lost;
    }
    Ok(())
}

/// What `--events` asks for: syscalls (`None`: all of them), lifecycle records, and the
/// field filters their events must pass.
struct Selection {
    calls: Option<HashSet<(Arch, u32)>>,
    lifecycle: Lifecycle,
    filters: Vec<FieldFilter>,
}

/// What the kernel is asked to capture: the user's selection, widened by what the rules
/// need; and, when that widened it, the user's selection, the events to print.
struct Capture {
    calls: Option<HashSet<(Arch, u32)>>,
    lifecycle: Lifecycle,
    shown: Option<Shown>,
}

/// The events `--events` selects, when the kernel captures more for the rules.
struct Shown {
    calls: Option<HashSet<(Arch, u32)>>,
    lifecycle: Lifecycle,
}

impl Capture {
    /// The union of `selection` and what the rules need. Without `--events` the kernel
    /// already captures everything; without rules, exactly the selection.
    fn of(selection: &Selection, rules: Option<&Detections>) -> Capture {
        let mut calls = selection.calls.clone();
        let mut lifecycle = selection.lifecycle;
        if let Some(rules) = rules {
            if let Some(calls) = &mut calls {
                calls.extend(&rules.calls);
            }
            let need = rules.lifecycle;
            lifecycle.fork |= need.fork;
            lifecycle.exec |= need.exec;
            lifecycle.exit |= need.exit;
            lifecycle.signal |= need.signal;
            lifecycle.io_uring |= need.io_uring;
        }
        let widened = lifecycle != selection.lifecycle
            || calls.as_ref().map(HashSet::len) != selection.calls.as_ref().map(HashSet::len);
        Capture {
            shown: widened.then(|| Shown {
                calls: selection.calls.clone(),
                lifecycle: selection.lifecycle,
            }),
            calls,
            lifecycle,
        }
    }
}

/// Whether a record is among `calls` (`None`: every syscall) and `lifecycle`.
fn selected(calls: Option<&HashSet<(Arch, u32)>>, lifecycle: &Lifecycle, r: &Record) -> bool {
    use ebpf::layout::kind;
    match r {
        Record::Syscall(e) => {
            calls.is_none_or(|c| ebpf::arch_of(e.abi).is_some_and(|a| c.contains(&(a, e.nr))))
        }
        Record::Proc(e) => match e.h.kind {
            kind::FORK => lifecycle.fork,
            kind::EXIT => lifecycle.exit,
            _ => lifecycle.signal,
        },
        Record::Exec(_) => lifecycle.exec,
        Record::IoUring(_) => lifecycle.io_uring,
        Record::Cgroup(_) => false,
    }
}

/// One `EVENT.data.FIELD<op>VALUE` or `EVENT.retval<op>N` of `--events`, as Tracee's
/// (`args.` is taken for `data.` too): applied by sysfence to the events the kernel let
/// through; an event must pass every filter naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldFilter {
    event: String,
    field: Option<String>,
    op: &'static str,
    value: String,
}

impl FieldFilter {
    /// Reads `NAME.data.FIELD<op>VALUE` or `NAME.retval<op>N`; `None` for an item
    /// without a field.
    fn parse(item: &str) -> Result<Option<FieldFilter>> {
        let Some((event, rest)) = item.split_once('.') else {
            return Ok(None);
        };
        let ops = ["!=", "<=", ">=", "=", "<", ">"];
        let at = rest.find(['=', '!', '<', '>']).ok_or_else(|| {
            anyhow::anyhow!("--events {item}: expected EVENT.data.FIELD=VALUE or EVENT.retval<op>N")
        })?;
        let (path, tail) = rest.split_at(at);
        let op = ops
            .into_iter()
            .find(|o| tail.starts_with(o))
            .ok_or_else(|| {
                anyhow::anyhow!("--events {item}: unknown comparison, use = != < > <= >=")
            })?;
        let value = tail[op.len()..].to_string();
        let field = match path.split_once('.') {
            Some(("data" | "args", field)) if !field.is_empty() => Some(field.to_string()),
            None if path == "retval" => None,
            _ => bail!("--events {item}: expected EVENT.data.FIELD=VALUE or EVENT.retval<op>N"),
        };
        if field.is_none() && value.parse::<i64>().is_err() {
            bail!("--events {item}: retval compares with a number");
        }
        if field.is_some() && !matches!(op, "=" | "!=") && value.parse::<i64>().is_err() {
            bail!("--events {item}: {op} compares numbers; give a number or use = or !=");
        }
        Ok(Some(FieldFilter {
            event: event.to_string(),
            field,
            op,
            value,
        }))
    }

    /// Whether the filter is about this event (by its name, or a named event's calls).
    fn names(&self, event: &str) -> bool {
        self.event == event
            || NAMED
                .iter()
                .any(|(n, calls)| *n == self.event && calls.contains(&event))
    }

    /// Whether a field's text (or a return value) passes.
    fn passes(&self, text: Option<&str>) -> bool {
        let Some(text) = text else {
            return false;
        };
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        if let (Ok(a), Ok(b)) = (text.parse::<i64>(), self.value.parse::<i64>()) {
            return match self.op {
                "=" => a == b,
                "!=" => a != b,
                "<" => a < b,
                ">" => a > b,
                "<=" => a <= b,
                _ => a >= b,
            };
        }
        let v = self.value.as_str();
        let equal = match (v.strip_prefix('*'), v.strip_suffix('*')) {
            (Some(tail), _) => text.ends_with(tail),
            (_, Some(head)) => text.starts_with(head),
            _ => text == v,
        };
        match self.op {
            "=" => equal,
            "!=" => !equal,
            _ => false,
        }
    }
}

/// An event's name, and the text of `field` (`None`: its return value) in it.
fn field_of(body: &JsonBody, field: Option<&str>) -> (String, Option<String>) {
    match body {
        JsonBody::Syscall {
            name, args, ret, ..
        } => (
            name.clone(),
            match field {
                // Tracee's pathname is the kernel prototype's filename.
                Some(f) => args
                    .iter()
                    .find(|a| a.name == f || (f == "pathname" && a.name == "filename"))
                    .map(|a| a.text.clone()),
                None => ret.map(|r| r.to_string()),
            },
        ),
        JsonBody::Exec { filename, argv, .. } => (
            "exec".into(),
            match field {
                Some("filename" | "pathname") => Some(filename.clone()),
                Some("argv") => Some(argv.join(" ")),
                _ => None,
            },
        ),
        JsonBody::Fork { child_pid, .. } => (
            "fork".into(),
            matches!(field, Some("child_pid")).then(|| child_pid.to_string()),
        ),
        JsonBody::Exit { code } => ("exit".into(), Some(code.to_string())),
        JsonBody::Signal { signal, .. } => ("signal".into(), Some(signal.clone())),
        JsonBody::IoUring {
            op, path, res, fd, ..
        } => (
            "io_uring".into(),
            match field {
                Some("op") => Some(op.clone()),
                Some("path") => path.clone(),
                Some("fd") => Some(fd.to_string()),
                None => Some(res.to_string()),
                _ => None,
            },
        ),
        _ => (String::new(), None),
    }
}

/// The lifecycle events, by name (io_uring is a named event).
const LIFECYCLE: [&str; 4] = ["fork", "exec", "exit", "signal"];

/// io_uring's requests, and its syscalls by name.
const IO_URING: [&str; 3] = ["io_uring_setup", "io_uring_enter", "io_uring_register"];

/// Named events that stand for several syscalls (or one, named otherwise).
const NAMED: [(&str, &[&str]); 6] = [
    ("io_uring", &IO_URING),
    ("chmod", &["chmod", "fchmod", "fchmodat", "fchmodat2"]),
    ("open", &["open", "openat", "openat2", "creat"]),
    ("accept", &["accept", "accept4"]),
    ("setuid", &["setuid", "setreuid", "setresuid", "setfsuid"]),
    ("module_load", &["init_module", "finit_module"]),
];

/// The switch of a non-syscall event in `l`, by its name.
fn lifecycle_flag<'a>(l: &'a mut Lifecycle, name: &str) -> Option<&'a mut bool> {
    Some(match name {
        "fork" => &mut l.fork,
        "exec" => &mut l.exec,
        "exit" => &mut l.exit,
        "signal" => &mut l.signal,
        "io_uring" => &mut l.io_uring,
        _ => return None,
    })
}

/// Reads `--events`.
fn selection(events: &[String]) -> Result<Selection> {
    let items: Vec<&str> = events
        .iter()
        .flat_map(|e| e.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    if items.is_empty() {
        bail!(
            "--events names no event: give syscall names, %classes or events (`sysfence watch --list`)"
        );
    }
    let any_positive = items.iter().any(|i| !i.starts_with('-'));
    let mut chosen: HashSet<(Arch, u32)> = HashSet::new();
    let mut lifecycle = Lifecycle::default();
    if !any_positive {
        chosen = ABIS
            .iter()
            .flat_map(|&a| a.table().entries().iter().map(move |s| (a, s.nr)))
            .collect();
        lifecycle = Lifecycle::ALL;
    }
    let mut excluded: HashSet<(Arch, u32)> = HashSet::new();
    let mut filters = Vec::new();
    for item in items {
        let (negative, name) = match item.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        // The event a field filter names is watched, as if named alone.
        let name = match FieldFilter::parse(name)? {
            Some(_) if negative => bail!("--events {item}: a field filter cannot exclude"),
            Some(filter) => {
                let event = filter.event.clone();
                filters.push(filter);
                event
            }
            None => name.to_string(),
        };
        let name = name.as_str();
        if let Some(flag) = lifecycle_flag(&mut lifecycle, name) {
            *flag = !negative;
            if name != "io_uring" {
                continue;
            }
        }
        let calls = match NAMED.iter().find(|(n, _)| *n == name) {
            Some((_, names)) => names
                .iter()
                .map(|n| calls_named(n))
                .collect::<Result<Vec<_>>>()?
                .concat(),
            None => calls_named(name)?,
        };
        if negative {
            excluded.extend(calls);
        } else {
            chosen.extend(calls);
        }
    }
    let calls: HashSet<(Arch, u32)> = chosen.difference(&excluded).copied().collect();
    if calls.is_empty() && lifecycle == Lifecycle::default() {
        bail!(
            "--events {}: the exclusions leave no event to watch",
            events.join(",")
        );
    }
    Ok(Selection {
        calls: Some(calls),
        lifecycle,
        filters,
    })
}

/// Every (ABI, number) a syscall name or `%class` stands for.
fn calls_named(name: &str) -> Result<Vec<(Arch, u32)>> {
    if name.starts_with('%') {
        let class: Class = name
            .parse()
            .map_err(|e| anyhow::anyhow!("--events {name}: {e}"))?;
        return Ok(ABIS
            .iter()
            .flat_map(|&a| {
                a.table()
                    .entries()
                    .iter()
                    .filter(move |s| s.classes.contains(class))
                    .map(move |s| (a, s.nr))
            })
            .collect());
    }
    let found: Vec<(Arch, u32)> = ABIS
        .iter()
        .filter_map(|&a| a.table().lookup_name(name).map(|s| (a, s.nr)))
        .collect();
    if found.is_empty() {
        let names: BTreeSet<&str> = ABIS
            .iter()
            .flat_map(|a| a.table().entries().iter().map(|s| s.name))
            .collect();
        let close = syscalls::closest_names(name, names.into_iter());
        let hint = if close.is_empty() {
            "`sysfence watch --list` lists them".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        bail!("--events: no syscall or %class is called `{name}`: {hint}");
    }
    Ok(found)
}

/// Adds one `--scope` expression to `scope`.
fn add_scope(scope: &mut Scope, containers: &mut Containers, expr: &str) -> Result<()> {
    match expr {
        "container" => {
            containers.wanted = Wanted::All;
            return Ok(());
        }
        "not-container" => {
            containers.unwanted = Wanted::All;
            return Ok(());
        }
        "pid=new" => {
            scope.new_pids = true;
            return Ok(());
        }
        "follow" => {
            scope.follow = true;
            return Ok(());
        }
        _ => {}
    }
    if let Some(ids) = expr.strip_prefix("container=") {
        containers.wanted = match ids {
            "new" => Wanted::New,
            "" => bail!("--scope {expr}: give container ids, or `new`"),
            ids => Wanted::Ids(container_ids(expr, ids)?),
        };
        return Ok(());
    }
    if let Some(ids) = expr.strip_prefix("container!=") {
        if ids.is_empty() {
            bail!("--scope {expr}: give container ids");
        }
        containers.unwanted = Wanted::Ids(container_ids(expr, ids)?);
        return Ok(());
    }
    let key_end = expr
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
        .unwrap_or(expr.len());
    let (key, rest) = expr.split_at(key_end);
    let op = ["!=", "<=", ">=", "=", "<", ">"]
        .into_iter()
        .find(|op| rest.starts_with(op));
    let supported = "comm=NAME (or NAME*, *NAME), comm!=NAME, pid=N, pid!=N, tid=N, tid!=N, tree=PID, tree!=PID, executable=PATH (or !=), mntns=N, pidns=N (and !=), uid=N (or !=, <, >, <=, >=), container, not-container, container=new, container=ID (or !=), pid=new, follow";
    let Some(op) = op else {
        bail!("--scope {expr}: expected KEY=VALUE, one of {supported}");
    };
    let mut values: Vec<&str> = rest[op.len()..].split(',').map(str::trim).collect();
    if values.iter().any(|v| v.is_empty()) {
        bail!("--scope {expr}: a value is empty");
    }
    if values.len() > 1 && op != "=" {
        bail!(
            "--scope {expr}: only `=` takes a comma-separated list (values are ORed); give one value per {key}{op}"
        );
    }
    let number = |v: &str| -> Result<u32> {
        v.parse()
            .map_err(|_| anyhow::anyhow!("--scope {expr}: `{v}` is not a number"))
    };
    match (key, op) {
        ("comm", "=" | "!=") => {
            for v in values.iter().filter(|v| v.contains('*')) {
                let p = ebpf::CommPattern::parse(v, op == "!=")
                    .map_err(|e| anyhow::anyhow!("--scope {expr}: {e}"))?;
                scope.comm_patterns.push(p);
            }
            values.retain(|v| !v.contains('*'));
            for v in &values {
                if v.len() > 15 {
                    diag!(
                        "sysfence: warning: --scope {expr}: the kernel keeps 15 bytes of a comm; matching `{}`",
                        &v[..15]
                    );
                }
            }
            let list = if op == "=" {
                &mut scope.comms
            } else {
                &mut scope.not_comms
            };
            list.extend(values.iter().map(|v| v.to_string()));
        }
        ("pid" | "tid", "=" | "!=") => {
            let list = match (key, op) {
                ("pid", "=") => &mut scope.pids,
                ("pid", _) => &mut scope.not_pids,
                (_, "=") => &mut scope.tids,
                _ => &mut scope.not_tids,
            };
            for v in &values {
                list.push(number(v)?);
            }
        }
        ("uid", _) => {
            let op = match op {
                "=" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                ">" => CmpOp::Gt,
                "<=" => CmpOp::Le,
                _ => CmpOp::Ge,
            };
            if !scope.uids.is_empty() {
                bail!(
                    "--scope {expr}: one uid condition per watch (give several values to `uid=` to OR them)"
                );
            }
            for v in &values {
                let uid = number(v)?;
                if op == CmpOp::Lt && uid == 0 {
                    bail!("--scope {expr}: no uid is below 0, so nothing would be watched");
                }
                scope.uids.push((op, uid));
            }
        }
        ("mntns" | "pidns", "=" | "!=") => {
            let list = match (key, op) {
                ("mntns", "=") => &mut scope.mntns,
                ("mntns", _) => &mut scope.not_mntns,
                ("pidns", "=") => &mut scope.pidns,
                _ => &mut scope.not_pidns,
            };
            for v in &values {
                list.push(number(v)?);
            }
        }
        ("mntns" | "pidns", _) => bail!("--scope {expr}: {key} takes = or != only"),
        ("tree", "=" | "!=") => {
            for v in &values {
                let pid = number(v)?;
                if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                    bail!("--scope {expr}: no process {pid} is running");
                }
                if op == "=" {
                    scope.trees.push(pid);
                } else {
                    scope.not_trees.push(pid);
                }
            }
        }
        ("executable" | "exe", "=" | "!=") => {
            for v in &values {
                let pattern = ExePattern::parse(v, op == "!=")
                    .map_err(|e| anyhow::anyhow!("--scope {expr}: {e}"))?;
                scope.exe_patterns.push(pattern);
            }
        }
        ("executable" | "exe", _) => bail!("--scope {expr}: executable takes = or != only"),
        ("comm" | "pid" | "tid", _) => bail!("--scope {expr}: {key} takes = or != only"),
        ("tree", _) => bail!("--scope {expr}: tree takes = or != only"),
        _ => bail!("--scope {expr}: unknown scope `{key}`: this version scopes by {supported}"),
    }
    Ok(())
}

/// The ids of `container=ID,...` or `container!=ID,...`: full ids, prefixes of 12
/// characters or more, or with a trailing `*` any prefix, a leading `*` any suffix.
fn container_ids(expr: &str, ids: &str) -> Result<Vec<String>> {
    ids.split(',')
        .map(|i| {
            let i = i.trim();
            let bare = i.trim_start_matches('*').trim_end_matches('*');
            if bare.is_empty() || bare.contains('*') || (i.starts_with('*') && i.ends_with('*')) {
                bail!("--scope {expr}: `{i}`: `*` goes at one end of an id (`abc*`, `*abc`)");
            }
            Ok(i.to_string())
        })
        .collect()
}

/// Which containers `--scope` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    /// No container scope.
    Any,
    /// Every container, those running at the start and those started later.
    All,
    /// Containers started after the start.
    New,
    /// These containers (full ids, or prefixes of at least 12 characters).
    Ids(Vec<String>),
}

/// Containers by cgroup id: the kernel keeps the scope's cgroups (those of containers at
/// the start, and every cgroup made after it); this tells which of those are containers.
struct Containers {
    wanted: Wanted,
    /// The containers left out (`not-container`: `All`; `container!=`: `Ids`).
    unwanted: Wanted,
    /// Containers found during the watch that are to be left out in the kernel too.
    to_exclude: Vec<u64>,
    root: Option<PathBuf>,
    /// Cgroups known to be containers'.
    containers: std::collections::HashMap<u64, inspect::container::Container>,
    /// Every cgroup's path from the root, as last seen.
    paths: std::collections::HashMap<u64, String>,
    /// Cgroups there at the start that are no container's, or (for `container=new`) any
    /// cgroup there at the start: never kept.
    excluded: HashSet<u64>,
    /// Events of cgroups the kernel let through that are no container's (or not one
    /// asked for): dropped here, and counted.
    dropped: u64,
}

impl Containers {
    fn new() -> Containers {
        Containers {
            wanted: Wanted::Any,
            unwanted: Wanted::Any,
            to_exclude: Vec::new(),
            root: None,
            containers: std::collections::HashMap::new(),
            paths: std::collections::HashMap::new(),
            excluded: HashSet::new(),
            dropped: 0,
        }
    }

    /// Puts the cgroups the scope needs into `scope`. Without a container scope, the
    /// containers are named all the same (events of a task in one carry its id, and the
    /// container rules read it), where a cgroup v2 hierarchy is mounted.
    fn scope(&mut self, scope: &mut Scope) -> Result<()> {
        let scoped = self.wanted != Wanted::Any || self.unwanted != Wanted::Any;
        if self.wanted != Wanted::Any && self.unwanted == Wanted::All {
            bail!("--scope: `not-container` leaves out every container another --scope asks for");
        }
        let Some(root) = inspect::container::cgroup2_mount() else {
            if scoped {
                bail!(
                    "--scope container: no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup)"
                );
            }
            return Ok(());
        };
        for (id, path) in inspect::container::cgroups(&root) {
            let container = inspect::container::of_cgroup_path(&path);
            let take = match (&container, &self.wanted) {
                (Some(_), Wanted::All) => true,
                (Some(c), Wanted::Ids(ids)) => matches(c, ids),
                _ => false,
            };
            if take {
                scope.cgroups.push(id);
            }
            if container.as_ref().is_some_and(|c| self.unwanted.holds(c)) {
                scope.not_cgroups.push(id);
            }
            match container {
                Some(c) if self.wanted != Wanted::New => {
                    self.containers.insert(id, c);
                }
                _ => {
                    self.excluded.insert(id);
                }
            }
            self.paths.insert(id, path);
        }
        scope.new_cgroups = self.wanted != Wanted::Any;
        scope.exclude_new_containers = self.unwanted != Wanted::Any;
        // Containers made later are named from their cgroup's creation.
        scope.report_new_cgroups = true;
        self.root = Some(root);
        Ok(())
    }

    /// A cgroup was made: named now, while it and its runtime's state are there (a short
    /// container may be gone when its events are read).
    fn made(&mut self, id: u64, path: String) {
        if let Some(c) = inspect::container::of_cgroup_path(&path).or_else(|| {
            runc_dir_exists(&path).then(|| inspect::container::Container {
                runtime: "runc",
                id: path.rsplit('/').next().unwrap_or_default().to_string(),
            })
        }) {
            if self.unwanted.holds(&c) {
                self.to_exclude.push(id);
            }
            self.containers.insert(id, c);
        }
        self.paths.insert(id, path);
    }

    /// The container of cgroup `id`. A cgroup made during the watch is looked up each
    /// time until it is one: its runtime may not have written its state yet.
    fn of(&mut self, id: u64) -> Option<&inspect::container::Container> {
        if self.root.is_none() || self.excluded.contains(&id) {
            return None;
        }
        if !self.containers.contains_key(&id) {
            if !self.paths.contains_key(&id)
                && let Some(root) = &self.root
            {
                for (found, path) in inspect::container::cgroups(root) {
                    self.paths.entry(found).or_insert(path);
                }
                // Gone already: not walked for again.
                self.paths.entry(id).or_default();
            }
            let container = self
                .paths
                .get(&id)
                .and_then(|p| inspect::container::of_cgroup_path(p))?;
            self.containers.insert(id, container);
        }
        self.containers.get(&id)
    }

    /// Whether an event of cgroup `id` is one the scope asks for (counted when not).
    fn keeps(&mut self, id: u64) -> bool {
        if self.wanted == Wanted::Any && self.unwanted == Wanted::Any {
            return true;
        }
        let found = self.of(id).is_some();
        let container = self.containers.get(&id);
        let keep = match (&self.wanted, container) {
            (Wanted::Any, _) => true,
            (Wanted::Ids(ids), Some(c)) => matches(c, ids),
            _ => found,
        } && !container.is_some_and(|c| self.unwanted.holds(c));
        if !keep {
            self.dropped += 1;
        }
        keep
    }
}

/// Whether runc keeps a directory for the container named by the path's last segment (it
/// makes it before the cgroup; its state.json comes later).
fn runc_dir_exists(path: &str) -> bool {
    let Some(seg) = path
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty() && *s != "..")
    else {
        return false;
    };
    inspect::container::RUNC_ROOTS
        .iter()
        .any(|root| std::path::Path::new(root).join(seg).is_dir())
}

/// Whether `c` is one of `ids` (a full id, a prefix of at least 12 characters, or a
/// `*` pattern).
fn matches(c: &inspect::container::Container, ids: &[String]) -> bool {
    ids.iter().any(|id| {
        if let Some(tail) = id.strip_prefix('*') {
            c.id.ends_with(tail)
        } else if let Some(head) = id.strip_suffix('*') {
            c.id.starts_with(head)
        } else {
            c.id == *id || (id.len() >= 12 && c.id.starts_with(id.as_str()))
        }
    })
}

impl Wanted {
    /// Whether container `c` is one of these (`Any`: none is).
    fn holds(&self, c: &inspect::container::Container) -> bool {
        match self {
            Wanted::Any => false,
            Wanted::All | Wanted::New => true,
            Wanted::Ids(ids) => matches(c, ids),
        }
    }
}

/// Clock `id` now, in nanoseconds.
fn clock_ns(id: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec.
    unsafe { libc::clock_gettime(id, &mut ts) };
    i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec)
}

/// Turns boot-clock nanoseconds (the probes') into wall-clock and monotonic time.
pub(crate) struct Clock {
    real_minus_boot: i128,
    mono_minus_boot: i128,
}

impl Clock {
    /// The offsets between the clocks now.
    pub(crate) fn now() -> Clock {
        let boot = clock_ns(libc::CLOCK_BOOTTIME);
        Clock {
            real_minus_boot: clock_ns(libc::CLOCK_REALTIME) - boot,
            mono_minus_boot: clock_ns(libc::CLOCK_MONOTONIC) - boot,
        }
    }

    /// The time now, on both clocks.
    pub(crate) fn stamp_now(&self) -> Timestamp {
        self.at(clock_ns(libc::CLOCK_BOOTTIME).max(0) as u64)
    }

    /// Boot-clock nanoseconds as a timestamp.
    pub(crate) fn at(&self, boot_ns: u64) -> Timestamp {
        let boot = i128::from(boot_ns);
        Timestamp {
            real_ns: (boot + self.real_minus_boot).max(0) as u64,
            mono_ns: (boot + self.mono_minus_boot).max(0) as u64,
        }
    }
}

/// The argument the probe captured, served to the decoders' capture plan as the memory
/// at its address; every other read fails, as an unreadable address does.
struct CapturedMemory<'a> {
    /// What the probes read, as (address, bytes, whether that is all there is there),
    /// looked up in order: an iovec or a message header capture's pieces, the second
    /// capture (a string, a structure or an array, at exit), the third (a string or a
    /// structure, at exit), the values clone3 stored, the first.
    pieces: Vec<(u64, &'a [u8], bool)>,
    /// Until [`CapturedMemory::leave_entry`], a message header as it went in, which
    /// the decoders read at entry where the call wrote it back (recvmsg's name length):
    /// its address and bytes, None when the probes could not read it.
    entry_header: Option<(u64, Option<Vec<u8>>)>,
    /// A getdents buffer's address and how many entries the probes counted in it.
    dirents: Option<(u64, usize)>,
    /// The addresses of captures read in part (up to a page that could not be read).
    parts: Vec<u64>,
    /// An execve's path (when the kernel kept it as given), argv and envp addresses with
    /// the new image's record, which holds what they pointed to (the path, argv's
    /// strings, the environment's count).
    exec: Option<(Option<u64>, u64, u64, &'a ExecEvent)>,
}

impl<'a> CapturedMemory<'a> {
    /// What the probes read of `e`'s memory.
    fn of(e: &'a SyscallEvent, exec: Option<&'a ExecEvent>) -> CapturedMemory<'a> {
        let first = e.args.get(e.cap_arg as usize).copied().unwrap_or(0);
        let mut pieces = e.segments();
        // Pieces are found in order: a later capture at the first's address is left out
        // (the first's piece, pushed last, is served there); at the same address the
        // second's is served, not the third's.
        for (arg, bytes) in [e.captured2(), e.captured3()].into_iter().flatten() {
            if let Some(&at) = e.args.get(arg)
                && at != first
            {
                // A string's NUL is among its bytes when it ended within what was read.
                pieces.push((at, bytes, false));
            }
        }
        pieces.extend(e.stored().into_iter().map(|(at, bytes)| (at, bytes, true)));
        if let Some(bytes) = e.captured() {
            pieces.push((first, bytes, e.captured_whole()));
        }
        CapturedMemory {
            pieces,
            entry_header: e.msghdr_in(),
            dirents: e.dirents(),
            parts: e.parts(),
            exec: exec.map(|x| {
                // argv and envp follow the path: execveat's after its directory fd too.
                let execveat = ebpf::arch_of(e.abi)
                    .and_then(|arch| arch.table().lookup_nr(e.nr))
                    .is_some_and(|s| s.name == "execveat");
                let at = usize::from(execveat);
                // The kernel keeps execve's path as given, and execveat's when it is
                // absolute or from the working directory; else it names /dev/fd/N or
                // /dev/fd/N/path (alloc_bprm), which is not the path: a name that may be
                // one of those is not used.
                let path = e.args[at];
                let as_given = !execveat
                    || e.args[0] as i32 == libc::AT_FDCWD
                    || x.filename_bytes().first() == Some(&b'/') && {
                        let dev_fd = format!("/dev/fd/{}", e.args[0] as i32);
                        let name = x.filename_bytes();
                        !(name.starts_with(dev_fd.as_bytes())
                            && matches!(name.get(dev_fd.len()), None | Some(&0 | &b'/')))
                    };
                (as_given.then_some(path), e.args[1 + at], e.args[2 + at], x)
            }),
        }
    }

    /// From now on the memory is served as it was at exit.
    fn leave_entry(&mut self) {
        self.entry_header = None;
    }

    fn piece(&self, addr: u64) -> Option<(&'a [u8], bool)> {
        self.pieces
            .iter()
            .find(|p| p.0 == addr)
            .map(|&(_, bytes, whole)| (bytes, whole))
    }
}

impl MemReader for CapturedMemory<'_> {
    fn read_bytes(&mut self, addr: u64, len: usize) -> Mem {
        if let Some((at, header)) = &self.entry_header
            && *at == addr
        {
            return match header {
                Some(bytes) if bytes.len() >= len => Mem::Bytes {
                    bytes: bytes[..len].to_vec(),
                    complete: true,
                },
                _ => Mem::Fault,
            };
        }
        match self.piece(addr) {
            Some((bytes, whole)) if bytes.len() >= len || whole => Mem::Bytes {
                bytes: bytes[..bytes.len().min(len)].to_vec(),
                complete: bytes.len() >= len,
            },
            // A buffer's byte past -s, which strace reads to see there is more: beyond a
            // capture of the most the probes read of a buffer or of an iovec's, which
            // stands for it (-s 256, -s 48).
            Some((bytes, false))
                if len == bytes.len() + 1
                    && !self.parts.contains(&addr)
                    && [ebpf::layout::CAP_MAX, ebpf::layout::cap_kind::IOV_DATA]
                        .contains(&bytes.len()) =>
            {
                Mem::Bytes {
                    bytes: bytes.to_vec(),
                    complete: true,
                }
            }
            _ => Mem::Fault,
        }
    }
    fn read_str(&mut self, addr: u64, max: usize) -> Mem {
        let piece = self.piece(addr).or_else(|| match self.exec {
            // A path the probes could not read at entry (a page not yet touched): the
            // exec that followed holds it.
            Some((Some(path), _, _, x)) if path == addr => Some((x.filename_bytes(), false)),
            _ => None,
        });
        match piece {
            // A buffer captured whole (getcwd's, by its length) ends at its first NUL.
            Some((bytes, whole)) => match bytes.iter().position(|&b| b == 0) {
                Some(nul) if nul < max => Mem::Str {
                    bytes: bytes[..nul].to_vec(),
                    terminated: true,
                },
                _ => Mem::Str {
                    bytes: bytes[..bytes.len().min(max)].to_vec(),
                    terminated: whole && bytes.len() <= max,
                },
            },
            None => Mem::Fault,
        }
    }
    fn read_dirents(&mut self, addr: u64, len: usize) -> Mem {
        match self.dirents {
            Some((at, n)) if at == addr => Mem::Count(n),
            _ => self.read_bytes(addr, len),
        }
    }
    fn read_str_array(&mut self, addr: u64, _: usize, max_items: usize, max_len: usize) -> Mem {
        match self.exec {
            // A script's image holds its interpreter's argv, not execve's.
            Some((_, argv, _, x))
                if addr == argv && x.argv_state == ebpf::layout::cap_state::OK && x.interp == 0 =>
            {
                let items = x
                    .argv_bytes()
                    .into_iter()
                    .take(max_items)
                    .map(|a| Mem::Str {
                        bytes: a[..a.len().min(max_len)].to_vec(),
                        terminated: a.len() < max_len,
                    })
                    .collect();
                Mem::StrArray {
                    items,
                    count: x.argc as usize,
                }
            }
            Some((_, _, envp, x)) if addr == envp && max_items == 0 => Mem::StrArray {
                items: Vec::new(),
                count: x.envc as usize,
            },
            _ => Mem::Fault,
        }
    }
}

/// A syscall record as the event model's finished syscall (and its exit time), its
/// captured argument served to the decoder's capture plan; `None` for an unknown ABI.
pub(crate) fn syscall_exit(
    decoder: &Decoder,
    clock: &Clock,
    e: &SyscallEvent,
    exec: Option<&ExecEvent>,
) -> Option<(SyscallExit, Timestamp)> {
    let arch = ebpf::arch_of(e.abi)?;
    let exit_ts = clock.at(e.h.ts_ns);
    let mut entry = SyscallEntry {
        arch,
        nr: e.nr,
        args: e.args,
        ip: 0,
        sp: 0,
        mem: Vec::new(),
        ts: clock.at(e.h.ts_ns.saturating_sub(e.duration_ns)),
    };
    let mut memory = CapturedMemory::of(e, exec);
    entry.mem = decoder.at_entry(&entry, &mut memory);
    memory.leave_entry();
    let result = (e.flags & ebpf::layout::NO_RETURN == 0).then_some(SyscallResult {
        rval: e.ret,
        is_error: (-4095..0).contains(&e.ret),
    });
    let mem = match result {
        Some(result) => decoder.at_exit(&entry, result, &mut memory),
        None => Vec::new(),
    };
    let exit = SyscallExit {
        entry: Arc::new(entry),
        result,
        mem,
        system_ns: None,
        detached: false,
    };
    Some((exit, exit_ts))
}

/// Writes events as a table or as JSON Lines.
struct Printer {
    decoder: Decoder,
    output: OutputKind,
    clock: Clock,
    header_done: bool,
    /// `--events`' field filters.
    filters: Vec<FieldFilter>,
    /// Events they dropped.
    filtered: u64,
    /// `--exec-env`.
    exec_env: bool,
    /// One JSON line, reused.
    line: Vec<u8>,
    /// The printed line when it differs from the rules' (an environment the rules read).
    printed: Vec<u8>,
    /// The events to print, when the kernel captures more for the rules.
    shown: Option<Shown>,
    /// Events captured for the rules only, not printed.
    rules_only: u64,
    /// The rules, if any run.
    detections: Option<Detections>,
}

impl Printer {
    /// The record as the event model's finished syscall, its string argument captured.
    fn exit(&self, e: &SyscallEvent) -> Option<(SyscallExit, Timestamp)> {
        syscall_exit(&self.decoder, &self.clock, e, None)
    }

    fn record(
        &mut self,
        out: &mut dyn Write,
        r: &Record,
        containers: &mut Containers,
    ) -> io::Result<()> {
        let selected_by_user = self
            .shown
            .as_ref()
            .is_none_or(|s| selected(s.calls.as_ref(), &s.lifecycle, r));
        let for_rules = self.detections.as_ref().is_some_and(|d| d.wants(r));
        if !selected_by_user && !for_rules {
            return Ok(());
        }
        let (ts, body) = match r {
            Record::Syscall(e) => {
                let Some((exit, exit_ts)) = self.exit(e) else {
                    return Ok(());
                };
                let body = render::json::syscall_body(&self.decoder, &exit, exit_ts);
                (exit.entry.ts, body)
            }
            Record::Proc(e) => (self.clock.at(e.h.ts_ns), proc_body(e)),
            // The rules read the environment (LD_PRELOAD) whatever --exec-env says.
            Record::Exec(e) => (
                self.clock.at(e.h.ts_ns),
                exec_body(e, self.exec_env || for_rules),
            ),
            Record::IoUring(e) => (self.clock.at(e.h.ts_ns), io_uring_body(e)),
            Record::Cgroup(_) => return Ok(()),
        };
        // The field filters choose what is printed; the rules see every event they need.
        let shown = if !selected_by_user {
            self.rules_only += 1;
            false
        } else if !self.passes(&body) {
            self.filtered += 1;
            false
        } else {
            true
        };
        if !shown && !for_rules {
            return Ok(());
        }
        let h = r.header();
        let serialize = for_rules || (shown && self.output == OutputKind::Json);
        let mut printed_apart = false;
        let body = if serialize {
            let container = containers.of(h.cgroup_id);
            let mut obj = JsonEvent {
                v: SCHEMA_VERSION,
                ts: ts.real_ns as f64 / 1e9,
                pid: h.pid as i32,
                tid: h.tid as i32,
                body,
                task: Some(JsonTask {
                    comm: h.comm(),
                    uid: h.uid,
                    gid: h.gid,
                    ppid: h.ppid,
                    cgroup_id: h.cgroup_id,
                    mntns: h.mntns,
                    pidns: h.pidns,
                    container: container.map(|c| c.id.clone()),
                    runtime: container.map(|c| c.runtime),
                }),
            };
            // Serialized into one buffer and written at once: many small writes
            // through `dyn Write` cost more than the serializing.
            self.line.clear();
            obj.write_json(&mut self.line);
            self.line.push(b'\n');
            // An environment captured for the rules only is not printed.
            if shown && for_rules && !self.exec_env && without_env(&mut obj.body) {
                printed_apart = true;
                self.printed.clear();
                obj.write_json(&mut self.printed);
                self.printed.push(b'\n');
            }
            obj.body
        } else {
            body
        };
        if shown {
            match self.output {
                OutputKind::Json if printed_apart => out.write_all(&self.printed)?,
                OutputKind::Json => out.write_all(&self.line)?,
                OutputKind::Table => {
                    self.header(out)?;
                    let (name, ret, args) = table_fields(body);
                    writeln!(
                        out,
                        "{:<15} {:<6} {:<16} {:<7} {:<7} {:<14} {:<16} {}",
                        clock_text(ts),
                        h.uid,
                        printable(&h.comm()),
                        h.pid,
                        h.tid,
                        ret,
                        name,
                        args
                    )?;
                }
            }
        }
        // The rules are given the events they need and no other: the kernel captures
        // those whatever --events says, so what they see does not depend on the output.
        if for_rules && let Some(d) = &mut self.detections {
            d.feed(&self.line[..self.line.len() - 1]);
            self.alerts(out)?;
        }
        Ok(())
    }

    /// Prints the alerts the rules just raised, in the output's format.
    fn alerts(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let Some(d) = &mut self.detections else {
            return Ok(());
        };
        if d.alerts.is_empty() {
            return Ok(());
        }
        let alerts: Vec<detect::Alert> = d.alerts.drain(..).collect();
        for mut alert in alerts {
            if !self.exec_env {
                alert.events.iter_mut().for_each(drop_env);
            }
            match self.output {
                OutputKind::Json => {
                    out.write_all(alert.to_json().as_bytes())?;
                    out.write_all(b"\n")?;
                }
                OutputKind::Table => {
                    self.header(out)?;
                    writeln!(out, "{}", alert.to_table_line())?;
                }
            }
        }
        Ok(())
    }

    /// Whether `body` passes every field filter that names its event.
    fn passes(&self, body: &JsonBody) -> bool {
        self.filters.iter().all(|f| {
            let (event, text) = field_of(body, f.field.as_deref());
            !f.names(&event) || f.passes(text.as_deref())
        })
    }

    fn header(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.header_done {
            self.header_done = true;
            writeln!(
                out,
                "{:<15} {:<6} {:<16} {:<7} {:<7} {:<14} {:<16} ARGS",
                "TIME", "UID", "COMM", "PID", "TID", "RET", "EVENT"
            )?;
        }
        Ok(())
    }

    /// Says at once that the ring buffer dropped `count` events (`total` in all).
    fn lost(&mut self, out: &mut dyn Write, count: u64, total: u64) -> io::Result<()> {
        let for_rules = self.detections.as_ref().is_some_and(Detections::wants_lost);
        if self.output == OutputKind::Json || for_rules {
            let obj = JsonEvent {
                v: SCHEMA_VERSION,
                ts: self.clock.at(boot_now()).real_ns as f64 / 1e9,
                pid: 0,
                tid: 0,
                body: JsonBody::Lost { count, total },
                task: None,
            };
            self.line.clear();
            obj.write_json(&mut self.line);
            self.line.push(b'\n');
        }
        match self.output {
            OutputKind::Json => out.write_all(&self.line)?,
            OutputKind::Table => {
                self.header(out)?;
                writeln!(
                    out,
                    "*** lost {count} events (the ring buffer was full; {total} lost in all) ***"
                )?;
            }
        }
        // The rules are given the events they need and no other: the kernel captures
        // those whatever --events says, so what they see does not depend on the output.
        if for_rules && let Some(d) = &mut self.detections {
            d.feed(&self.line[..self.line.len() - 1]);
            self.alerts(out)?;
        }
        Ok(())
    }
}

/// A lifecycle record's JSON body.
fn proc_body(e: &ProcEvent) -> JsonBody {
    use ebpf::layout::kind;
    match e.h.kind {
        kind::FORK => JsonBody::Fork {
            child_pid: e.other_pid,
            child_tid: e.other_tid,
        },
        kind::EXIT if e.code & 0x7f != 0 => JsonBody::Killed {
            signal: syscalls::signal_name(e.code & 0x7f)
                .map_or_else(|| format!("SIG{}", e.code & 0x7f), str::to_string),
            core_dumped: e.code & 0x80 != 0,
        },
        kind::EXIT => JsonBody::Exit {
            code: (e.code >> 8) & 0xff,
        },
        _ => {
            // Positive codes are the signal's own (CLD_EXITED for SIGCHLD...); zero,
            // negative ones and SI_KERNEL are common to all.
            let own = match e.code {
                libc::SIGCHLD => "si_code_sigchld",
                libc::SIGSEGV => "si_code_sigsegv",
                libc::SIGBUS => "si_code_sigbus",
                libc::SIGFPE => "si_code_sigfpe",
                libc::SIGILL => "si_code_sigill",
                libc::SIGTRAP => "si_code_sigtrap",
                libc::SIGIO => "si_code_sigpoll",
                libc::SIGSYS => "si_code_sigsys",
                _ => "si_code",
            };
            let common = e.detail <= 0 || e.detail == 0x80;
            let set = syscalls::xlat_set(if common { "si_code" } else { own });
            let code = set
                .and_then(|s| s.name_of(e.detail as u32 as u64))
                .map_or_else(|| e.detail.to_string(), str::to_string);
            JsonBody::Signal {
                signal: syscalls::signal_name(e.code)
                    .map_or_else(|| format!("SIG{}", e.code), str::to_string),
                signo: e.code,
                siginfo: Some(format!("si_code={code}")),
            }
        }
    }
}

/// An exec record's JSON body; the environment only when asked for.
/// Takes out of an alert's attached exec event the environment captured for the rules
/// only (it may hold secrets the user did not ask to see).
fn drop_env(event: &mut Box<serde_json::value::RawValue>) {
    if !event.get().contains("\"env\":") {
        return;
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(event.get()) else {
        return;
    };
    if value["type"] != "exec" {
        return;
    }
    if let Some(obj) = value.as_object_mut() {
        obj.remove("env");
        obj.remove("env_complete");
    }
    if let Ok(raw) = serde_json::value::to_raw_value(&value) {
        *event = raw;
    }
}

/// Takes the environment out of an exec's body; whether there was one.
fn without_env(body: &mut JsonBody) -> bool {
    match body {
        JsonBody::Exec {
            env, env_complete, ..
        } => env.take().is_some() | env_complete.take().is_some(),
        _ => false,
    }
}

fn exec_body(e: &ExecEvent, with_env: bool) -> JsonBody {
    let (argv, argv_complete) = e.argv();
    JsonBody::Exec {
        filename: e.filename(),
        argv,
        argv_complete,
        env: with_env.then(|| e.env().0),
        env_complete: with_env.then(|| e.env().1),
    }
}

/// An io_uring record's JSON body.
fn io_uring_body(e: &IoUringEvent) -> JsonBody {
    let op = syscalls::xlat_set("io_uring_op")
        .and_then(|s| s.name_of(u64::from(e.opcode)))
        .map_or_else(|| format!("IORING_OP_{}", e.opcode), str::to_string);
    let path = e.path();
    let flags = path.is_some().then(|| {
        syscalls::xlat_set("open_flags").map_or_else(
            || format!("{:#x}", e.open_flags),
            |s| {
                s.display(u64::from(e.open_flags), syscalls::XlatStyle::Abbrev)
                    .to_string()
            },
        )
    });
    let errno = (e.res < 0).then(|| {
        syscalls::errno_by_code(-e.res)
            .map_or_else(|| format!("E{}", -e.res), |n| n.name.to_string())
    });
    JsonBody::IoUring {
        op,
        opcode: e.opcode,
        fd: e.fd,
        path,
        flags,
        res: e.res,
        errno,
        user_data: e.user_data,
        sq_thread: e.sq_thread != 0,
    }
}

/// The EVENT, RET and ARGS columns of a body.
fn table_fields(body: JsonBody) -> (String, String, String) {
    match body {
        JsonBody::Syscall {
            name,
            args,
            ret_text,
            errno,
            ..
        } => {
            let ret = match errno {
                Some(errno) => format!("-1 {errno}"),
                None => ret_text.unwrap_or_else(|| "?".to_string()),
            };
            let args: Vec<String> = args
                .into_iter()
                .map(|a| format!("{}: {}", a.name, a.text))
                .collect();
            (name, ret, args.join(", "))
        }
        JsonBody::Exec {
            filename,
            argv,
            argv_complete,
            env,
            ..
        } => {
            let more = if argv_complete { "" } else { ", ..." };
            let mut args = format!("filename: {filename:?}, argv: {argv:?}{more}");
            if let Some(env) = env {
                args.push_str(&format!(", env: {env:?}"));
            }
            ("exec".into(), "0".into(), args)
        }
        JsonBody::Fork {
            child_pid,
            child_tid,
        } => (
            "fork".into(),
            "0".into(),
            format!("child_pid: {child_pid}, child_tid: {child_tid}"),
        ),
        JsonBody::Exit { code } => ("exit".into(), code.to_string(), format!("code: {code}")),
        JsonBody::Killed {
            signal,
            core_dumped,
        } => (
            "exit".into(),
            "0".into(),
            format!("signal: {signal}, core_dumped: {core_dumped}"),
        ),
        JsonBody::Signal {
            signal, siginfo, ..
        } => (
            "signal".into(),
            "0".into(),
            format!("signal: {signal}, {}", siginfo.unwrap_or_default()),
        ),
        JsonBody::IoUring {
            op,
            fd,
            path,
            flags,
            res,
            errno,
            user_data,
            sq_thread,
            ..
        } => {
            let ret = errno.map_or_else(|| res.to_string(), |e| format!("-1 {e}"));
            let mut args = vec![format!("op: {op}"), format!("fd: {fd}")];
            if let Some(path) = path {
                args.push(format!("path: {path:?}"));
            }
            if let Some(flags) = flags {
                args.push(format!("flags: {flags}"));
            }
            args.push(format!("user_data: {user_data}"));
            if sq_thread {
                args.push("sq_thread: true".into());
            }
            ("io_uring".into(), ret, args.join(", "))
        }
        JsonBody::Lost { count, total } => (
            "lost".into(),
            "0".into(),
            format!("count: {count}, total: {total}"),
        ),
    }
}

fn boot_now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Local wall-clock time of day, to the microsecond.
fn clock_text(ts: Timestamp) -> String {
    let secs = (ts.real_ns / 1_000_000_000) as i64;
    let local = (secs + render::dates::utc_offset_at(secs)).rem_euclid(86_400);
    let micros = (ts.real_ns % 1_000_000_000) / 1000;
    format!(
        "{:02}:{:02}:{:02}.{micros:06}",
        local / 3600,
        (local / 60) % 60,
        local % 60
    )
}

/// The counts at the end, on stderr; `rules`: the alerts fired and the events captured
/// for the rules only, when rules ran.
fn summarise(c: &Counters, not_containers: u64, by_fields: u64, rules: Option<(u64, u64)>) {
    if by_fields > 0 {
        diag!("sysfence: watch: {by_fields} events did not pass --events' field filters");
    }
    if not_containers > 0 {
        diag!(
            "sysfence: watch: {not_containers} events of cgroups made during the watch that are no container's were dropped here"
        );
    }
    let (alerts, rules_only) = rules.unwrap_or_default();
    diag!(
        "sysfence: watch: {} events{}; dropped in the kernel: {} calls of tasks outside the scope, {} calls not among the events; {} lost (ring buffer full); {} arguments unreadable",
        c.sent
            .saturating_sub(not_containers + by_fields + rules_only),
        match rules {
            Some(_) if rules_only > 0 => format!(
                ", {alerts} alerts; {rules_only} events captured for the rules only, not printed"
            ),
            Some(_) => format!(", {alerts} alerts"),
            None => String::new(),
        },
        c.filtered,
        c.unselected,
        c.lost + c.inflight_full,
        c.cap_faults
    );
}

/// `--list`: every syscall of every ABI, with its fields.
fn list() -> Result<()> {
    let mut out = io::stdout().lock();
    // The events that are no syscall, and the named ones that stand for several.
    let lifecycle = [
        ("fork", "child_pid, child_tid"),
        (
            "exec",
            "filename, argv, argv_complete, env (with --exec-env)",
        ),
        ("exit", "code (or signal, core_dumped)"),
        ("signal", "signal, signo, siginfo"),
        (
            "io_uring",
            "op, opcode, fd, path, flags, res, errno, user_data, sq_thread",
        ),
    ];
    for (name, fields) in lifecycle {
        writeln!(out, "{name:<24} {:<8} {fields}", "event")?;
    }
    for (name, calls) in NAMED {
        writeln!(out, "{name:<24} {:<8} {}", "named", calls.join(", "))?;
    }
    let mut seen = BTreeSet::new();
    for arch in ABIS {
        for s in arch.table().entries() {
            let fields: Vec<&str> = s.args.iter().map(|a| a.name).collect();
            if seen.insert((s.name, fields.clone())) {
                writeln!(out, "{:<24} {:<8} {}", s.name, arch, fields.join(", "))?;
            }
        }
    }
    Ok(())
}

/// The signals that end a watch, caught so that the summary is still printed.
pub(crate) mod stop {
    use super::{AtomicBool, Ordering};

    static STOP: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_signal(_: libc::c_int) {
        STOP.store(true, Ordering::SeqCst);
    }

    /// Catches SIGINT, SIGTERM and SIGHUP.
    pub fn install() {
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: the handler only stores to an atomic.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_signal as *const () as usize;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(sig, &sa, std::ptr::null_mut());
            }
        }
    }

    /// Whether one came.
    pub fn requested() -> bool {
        STOP.load(Ordering::SeqCst)
    }
}

/// `text` with its control characters escaped (`\n`), so that one event stays one table
/// line (a comm set through /proc/PID/comm may end in a newline).
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect::<String>()
        .into()
}
