//! `sysfence dump`: the seccomp filters a process runs under, as a listing, raw BPF or a
//! profile rebuilt from what they decide.

use crate::output::{diag, write_document};
use anyhow::{Result, bail};
use inspect::filters::{Filter, read_filters};
use serde::Serialize;
use std::io::IsTerminal;
use std::process::ExitCode;

/// What `dump` prints.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable listing, syscall numbers named per ABI.
    Disasm,
    /// The raw programs: sock_filter[] little endian, 8 bytes an instruction, as
    /// `profile compile` writes them (several filters: one after another, innermost first).
    Bpf,
    /// A Docker/moby profile that decides as the whole stack does.
    Profile,
}

/// Arguments of `sysfence dump`.
#[derive(clap::Args)]
#[command(
    after_help = "The process is seized and interrupted for a moment (the kernel hands out
filters only to a tracer whose tracee is stopped) and detached at once, errors included.
Filters are listed innermost (newest) first, each with the kernel's index
(PTRACE_SECCOMP_GET_FILTER counts from the oldest, 0). The kernel runs every filter on
each call and acts on the strongest answer, the newest winning ties.

Examples:
  sysfence dump 1234                        # listing of every filter
  sysfence dump 1234 --format bpf > f.bpf   # the raw program(s)
  sysfence dump 1234 --format profile       # a moby profile with the same decisions
  sysfence dump 1234 --lint                 # and what `profile lint` finds in them"
)]
pub struct Args {
    /// The process.
    #[arg(value_name = "PID")]
    pid: i32,
    /// What to print.
    #[arg(long, value_enum, default_value = "disasm")]
    format: Format,
    /// Also report the pitfalls `profile lint` finds in each filter (on stderr with
    /// --format bpf or profile, whose stdout is the document).
    #[arg(long)]
    lint: bool,
    /// Print JSON: each filter's instructions and listing (and the profile, with
    /// --format profile).
    #[arg(long, conflicts_with = "lint")]
    json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.pid <= 0 {
        bail!(
            "{} is not a process id (give a PID as `pgrep NAME` prints it)",
            args.pid
        );
    }
    if args.format == Format::Bpf && !args.json && std::io::stdout().is_terminal() {
        bail!(
            "--format bpf is binary and stdout is a terminal: redirect it (`sysfence dump PID --format bpf > filter.bpf`) or pipe it"
        );
    }
    let filters = read_filters(args.pid)?;
    let programs: Vec<&seccomp::Program> = filters.iter().map(|f| &f.program).collect();
    if args.json {
        return print_json(&args, &filters, &programs);
    }
    match args.format {
        Format::Disasm => {
            let mut text = format!(
                "process {} ({}): {} filter{}\n",
                args.pid,
                comm(args.pid),
                filters.len(),
                if filters.len() == 1 { "" } else { "s" }
            );
            for f in &filters {
                text.push_str(&format!("\n{}\n", header(f, filters.len())));
                text.push_str(&inspect::listing::disassemble_named(&f.program));
            }
            if args.lint {
                text.push('\n');
                text.push_str(&lint_text(&filters));
            }
            write_document(None, text.as_bytes())?;
        }
        Format::Bpf => {
            let bytes: Vec<u8> = filters.iter().flat_map(|f| f.program.to_bytes()).collect();
            if filters.len() > 1 {
                let sizes: Vec<String> = filters
                    .iter()
                    .map(|f| f.program.len().to_string())
                    .collect();
                diag!(
                    "sysfence: process {} has {} filters, written one after another, innermost (newest) first: {} instructions (8 bytes each)",
                    args.pid,
                    filters.len(),
                    sizes.join(", ")
                );
            }
            write_document(None, &bytes)?;
            lint_to_stderr(&args, &filters);
        }
        Format::Profile => {
            let rebuilt = inspect::decompile::decompile(&programs)?;
            for note in &rebuilt.inexpressible {
                diag!("sysfence: dump: cannot be expressed as a profile: {note}");
            }
            let json = policy::docker::export(&rebuilt.policy)?;
            write_document(None, json.as_bytes())?;
            lint_to_stderr(&args, &filters);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn comm(pid: i32) -> String {
    procfs::process::Process::new(pid)
        .and_then(|p| p.stat())
        .map_or_else(|_| "?".into(), |s| s.comm)
}

fn flag_names(flags: u64) -> Vec<&'static str> {
    let mut names = Vec::new();
    if flags & u64::from(seccomp::install::flags::LOG) != 0 {
        names.push("SECCOMP_FILTER_FLAG_LOG");
    }
    names
}

fn header(f: &Filter, count: usize) -> String {
    let age = match (f.index, count) {
        (_, 1) => "the only one".to_string(),
        (0, _) => "the oldest, installed first".to_string(),
        (i, n) if i + 1 == n => "the newest, installed last: innermost".to_string(),
        _ => "installed in between".to_string(),
    };
    let flags = flag_names(f.flags);
    format!(
        "filter {} ({age}): {} instructions, flags: {}",
        f.index,
        f.program.len(),
        if flags.is_empty() {
            "none".into()
        } else {
            flags.join("|")
        }
    )
}

fn lint_text(filters: &[Filter]) -> String {
    let mut text = String::new();
    let mut count = 0;
    for f in filters {
        for finding in seccomp::lint::lint_program(&f.program) {
            text.push_str(&format!("filter {}: {finding}\n", f.index));
            count += 1;
        }
    }
    match count {
        0 => text.push_str("lint: no findings\n"),
        1 => text.push_str("lint: 1 finding\n"),
        n => text.push_str(&format!("lint: {n} findings\n")),
    }
    text
}

fn lint_to_stderr(args: &Args, filters: &[Filter]) {
    if args.lint {
        for line in lint_text(filters).lines() {
            diag!("{line}");
        }
    }
}

#[derive(Serialize)]
struct Json {
    pid: i32,
    comm: String,
    /// The whole stack's fingerprint, as `status` shows it.
    fingerprint: String,
    filters: Vec<FilterJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inexpressible: Option<Vec<String>>,
}

#[derive(Serialize)]
struct FilterJson {
    index: usize,
    flags: Vec<&'static str>,
    instructions: Vec<InsnJson>,
}

#[derive(Serialize)]
struct InsnJson {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
    text: String,
}

fn print_json(args: &Args, filters: &[Filter], programs: &[&seccomp::Program]) -> Result<ExitCode> {
    let (profile, inexpressible) = if args.format == Format::Profile {
        let rebuilt = inspect::decompile::decompile(programs)?;
        let json = policy::docker::export(&rebuilt.policy)?;
        (
            Some(serde_json::from_str(&json)?),
            Some(rebuilt.inexpressible),
        )
    } else {
        (None, None)
    };
    let doc = Json {
        pid: args.pid,
        comm: comm(args.pid),
        fingerprint: inspect::decisions::fingerprint(programs)?,
        filters: filters
            .iter()
            .map(|f| {
                let listing = inspect::listing::disassemble_named(&f.program);
                FilterJson {
                    index: f.index,
                    flags: flag_names(f.flags),
                    instructions: f
                        .program
                        .insns
                        .iter()
                        .zip(listing.lines())
                        .map(|(i, line)| InsnJson {
                            code: i.code,
                            jt: i.jt,
                            jf: i.jf,
                            k: i.k,
                            text: line.get(6..).unwrap_or_default().to_string(),
                        })
                        .collect(),
                }
            })
            .collect(),
        profile,
        inexpressible,
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    write_document(None, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
