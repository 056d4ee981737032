//! `sysfence syscalls`: query the syscall knowledge base.

use anyhow::{Result, bail};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;
use syscalls::{Arch, Arg, Class, Syscall, SyscallTable};

/// Arguments of `sysfence syscalls`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  sysfence syscalls openat                 # openat on x86_64: 257
  sysfence syscalls --arch i386 5          # what is i386 syscall 5? open
  sysfence syscalls --arch x32 0x40000101  # x32 numbers carry bit 30
  sysfence syscalls %network --json        # every network syscall, as JSON")]
pub struct Args {
    /// Syscall names, numbers (decimal or 0x hex) or %classes; none prints the whole table.
    #[arg(value_name = "QUERY")]
    queries: Vec<String>,
    /// The ABI to look in.
    #[arg(long, default_value_t = Arch::native(), value_parser = parse_arch)]
    arch: Arch,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
}

fn parse_arch(s: &str) -> Result<Arch, String> {
    s.parse::<Arch>().map_err(|e| e.to_string())
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let table = args.arch.table();
    let mut found: Vec<&'static Syscall> = Vec::new();
    if args.queries.is_empty() {
        found.extend(table.entries());
    }
    for query in &args.queries {
        found.extend(resolve(table, query)?);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<JsonRow> = found.iter().map(|s| JsonRow::new(args.arch, s)).collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        print_table(&mut out, args.arch, &found)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Resolves one query to the syscalls it names, or an error that says what to type instead.
fn resolve(table: &SyscallTable, query: &str) -> Result<Vec<&'static Syscall>> {
    let arch = table.arch();
    if query.starts_with('%') {
        let class: Class = query.parse()?;
        return Ok(table.in_class(class).collect());
    }
    if let Some(nr) = parse_number(query) {
        let nr = if nr < arch.nr_base() {
            nr | arch.nr_base()
        } else {
            nr
        };
        return match table.lookup_nr(nr) {
            Some(s) => Ok(vec![s]),
            None => bail!("{arch} has no syscall numbered {query} ({nr:#x})"),
        };
    }
    if let Some(s) = table.lookup_name(query) {
        return Ok(vec![s]);
    }
    let elsewhere: Vec<&str> = Arch::ALL
        .into_iter()
        .filter(|a| a.table().lookup_name(query).is_some())
        .map(Arch::name)
        .collect();
    let mut msg = if elsewhere.is_empty() {
        format!("unknown syscall `{query}`")
    } else {
        format!(
            "`{query}` does not exist on {arch} (it does on {}; pick one with --arch)",
            elsewhere.join(", ")
        )
    };
    let suggestions = table.suggest(query);
    if !suggestions.is_empty() {
        msg.push_str(&format!("; did you mean `{}`?", suggestions.join("`, `")));
    }
    bail!(msg)
}

/// Parses a decimal or `0x` hexadecimal syscall number.
fn parse_number(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// How a number is shown: x32 numbers in hex (their bit 30 is the point), others in decimal.
fn show_nr(arch: Arch, nr: u32) -> String {
    if arch.nr_base() != 0 {
        format!("{nr:#x}")
    } else {
        nr.to_string()
    }
}

fn print_table(out: &mut impl Write, arch: Arch, rows: &[&Syscall]) -> Result<()> {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|s| {
            let args: Vec<String> = s.args.iter().map(Arg::describe).collect();
            let classes: Vec<&str> = s.classes.iter().map(Class::name).collect();
            [
                show_nr(arch, s.nr),
                s.name.to_string(),
                format!("({})", args.join(", ")),
                classes.join(" "),
            ]
        })
        .collect();
    let header = ["NR", "NAME", "ARGS", "CLASSES"];
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |out: &mut dyn Write, row: [&str; 4]| -> std::io::Result<()> {
        let text = format!(
            "{:>w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        writeln!(out, "{}", text.trim_end())
    };
    line(out, header)?;
    for row in &cells {
        line(out, [&row[0], &row[1], &row[2], &row[3]])?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonRow {
    arch: Arch,
    nr: u32,
    nr_hex: String,
    name: &'static str,
    arity: usize,
    signature: String,
    args: &'static [Arg],
    classes: Vec<&'static str>,
}

impl JsonRow {
    fn new(arch: Arch, s: &'static Syscall) -> JsonRow {
        JsonRow {
            arch,
            nr: s.nr,
            nr_hex: format!("{:#x}", s.nr),
            name: s.name,
            arity: s.arity(),
            signature: s.signature(),
            args: s.args,
            classes: s.classes.iter().map(Class::name).collect(),
        }
    }
}
