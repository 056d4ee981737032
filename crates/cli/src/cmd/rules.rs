//! `sysfence rules`: list the detection rules, check rule files, and run rules over a
//! recorded event stream offline (no root needed).

use crate::output::diag;
use anyhow::{Context, Result};
use detect::{Alert, Engine, RuleSet};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `sysfence rules`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  sysfence rules list
  sysfence rules list --rules my-rules.yaml --json
  sysfence rules check my-rules.yaml
  sysfence watch --output json -o events.jsonl --duration 60
  sysfence rules test my-rules.yaml events.jsonl
  sysfence rules test my-rules.yaml - --no-default-rules --output json < events.jsonl")]
pub struct Args {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(clap::Subcommand)]
enum RulesCommand {
    /// Every rule: id, severity, the events it needs, and what it detects (the built-in
    /// rules, then those of each --rules FILE).
    List {
        /// Also load this rule file (repeatable).
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
        /// Print a JSON array of the rules instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check rule files: exit 0 when every one is valid, 1 with FILE:LINE: problem on
    /// stderr for the first problem of each file that is not.
    Check {
        /// The rule files.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Run rules over a recorded event stream (`sysfence watch --output json` or
    /// `sysfence trace --json`) and print the alerts. A line that is not an event is
    /// reported as EVENTS:LINE on stderr and skipped; the exit status is then 1.
    Test {
        /// The rule file (`-` for none besides the built-in ones).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The JSON Lines events (`-` for standard input).
        #[arg(value_name = "EVENTS")]
        events: PathBuf,
        /// Leave the built-in rules out: only FILE's rules run.
        #[arg(long = "no-default-rules")]
        no_default_rules: bool,
        /// table (watch's columns, EVENT = ALERT:<id>) or json (one alert object per line).
        #[arg(long, value_enum, default_value = "table")]
        output: AlertOutput,
    },
}

/// How alerts are printed.
#[derive(Clone, Copy, clap::ValueEnum)]
enum AlertOutput {
    /// One aligned line per alert.
    Table,
    /// One JSON object per line.
    Json,
}

/// Runs `sysfence rules`.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        RulesCommand::List { rules, json } => list(&rules, json),
        RulesCommand::Check { files } => Ok(check(&files)),
        RulesCommand::Test {
            file,
            events,
            no_default_rules,
            output,
        } => test(&file, &events, no_default_rules, output),
    }
}

/// Loads one rule file into `set`: an error names the file (and the line at fault).
pub(crate) fn load(set: &mut RuleSet, path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading rule file {}", path.display()))?;
    set.add_file(&path.display().to_string(), &text)?;
    Ok(())
}

fn list(files: &[PathBuf], json: bool) -> Result<ExitCode> {
    let mut set = RuleSet::builtin();
    for path in files {
        load(&mut set, path)?;
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if json {
        let rows: Vec<serde_json::Value> = set
            .rules()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "name": r.name, "severity": r.severity, "events": r.events,
                    "mitre": r.mitre, "tags": r.tags, "description": r.description,
                    "file": r.file, "line": r.line,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:<9} {:<9} {:<40} DESCRIPTION",
            "ID", "SEVERITY", "EVENTS"
        )?;
        for r in set.rules() {
            writeln!(
                out,
                "{:<9} {:<9} {:<40} {}: {}",
                r.id,
                r.severity,
                r.events.join(","),
                r.name,
                r.description
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn check(files: &[PathBuf]) -> ExitCode {
    let mut valid = true;
    for path in files {
        // Each file on its own, with the built-in ids reserved: a clash is a problem.
        let mut set = RuleSet::builtin();
        if let Err(err) = load(&mut set, path) {
            diag!("{err:#}");
            valid = false;
        }
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn test(
    file: &Path,
    events: &Path,
    no_default_rules: bool,
    output: AlertOutput,
) -> Result<ExitCode> {
    let mut set = if no_default_rules {
        RuleSet::new()
    } else {
        RuleSet::builtin()
    };
    if file != Path::new("-") {
        load(&mut set, file)?;
    }
    let input: Box<dyn Read> = if events == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(events)
                .with_context(|| format!("reading events {}", events.display()))?,
        )
    };
    let mut engine = Engine::new(set);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    if matches!(output, AlertOutput::Table) {
        writeln!(
            out,
            "{:<15} {:<6} {:<16} {:<7} {:<7} {:<14} {:<16} ARGS",
            "TIME", "UID", "COMM", "PID", "TID", "RET", "EVENT"
        )?;
    }
    let mut bad = 0u64;
    let mut alerts: Vec<Alert> = Vec::new();
    each_line(input, |number, line| {
        let result = match line {
            Ok(text) if text.trim_end().is_empty() => return Ok(()),
            Ok(text) => engine
                .process(text.trim_end(), &mut alerts)
                .map_err(|e| e.to_string()),
            Err(_) => Err("not UTF-8".to_string()),
        };
        if let Err(err) = result {
            diag!("{}:{number}: {err}", events.display());
            bad += 1;
        }
        for alert in alerts.drain(..) {
            match output {
                AlertOutput::Table => writeln!(out, "{}", alert.to_table_line())?,
                AlertOutput::Json => writeln!(out, "{}", alert.to_json())?,
            }
        }
        Ok(())
    })?;
    out.flush()?;
    let stats = engine.stats();
    diag!(
        "sysfence: rules test: {} events, {} alerts{}",
        stats.lines,
        stats.alerts,
        if bad > 0 {
            format!(", {bad} lines that are no events (skipped)")
        } else {
            String::new()
        }
    );
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Calls `each` with every line of `input` (numbered from 1, without its newline; a line
/// that is not UTF-8 as an error) read in place from a large buffer, not copied out.
fn each_line(
    mut input: impl Read,
    mut each: impl FnMut(u64, Result<&str, std::str::Utf8Error>) -> Result<()>,
) -> Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    let (mut filled, mut number) = (0usize, 0u64);
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let read = match input.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let end = filled + read;
        // Whole lines up to the last newline; at the end of input, the rest too.
        let whole = match read {
            0 => end,
            _ => match memchr::memrchr(b'\n', &buf[filled..end]) {
                Some(at) => filled + at + 1,
                None => {
                    filled = end;
                    continue;
                }
            },
        };
        // One UTF-8 check for the block; only a block that fails is checked by line.
        let block = &buf[..whole];
        let body = block.strip_suffix(b"\n").unwrap_or(block);
        let text = std::str::from_utf8(body);
        let ends = memchr::memchr_iter(b'\n', body).chain([body.len()]);
        let mut from = 0;
        for newline in ends.take_while(|_| !block.is_empty()) {
            number += 1;
            let line = match &text {
                Ok(text) => Ok(&text[from..newline]),
                Err(_) => std::str::from_utf8(&body[from..newline]),
            };
            each(number, line)?;
            from = newline + 1;
        }
        if read == 0 {
            return Ok(());
        }
        buf.copy_within(whole..end, 0);
        filled = end - whole;
    }
}
