//! `sysfence files`: lsof's everyday questions, with lsof's columns and rows.

use crate::output::diag;
use anyhow::{Result, bail};
use inspect::files::{InetSpec, OpenFile, Selection};
use inspect::users::Users;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `sysfence files`.
#[derive(clap::Args)]
#[command(
    after_help = "Selections are ORed, as lsof's: a row is listed when any selects it.
Exit status 1 when nothing is selected, as lsof's.

Examples:
  sysfence files -p 1234             # every file of process 1234
  sysfence files -i :8000            # who listens on or is connected to port 8000
  sysfence files -i tcp              # every TCP socket
  sysfence files -i 6udp@[::1]:53    # IPv6 UDP sockets on ::1 port 53
  sysfence files /var/log/syslog     # who has this file open
  sysfence files +D /var/log         # who has files under /var/log open
  sysfence files -u www-data --json"
)]
pub struct Args {
    /// Processes whose files to list (comma-separated lists too).
    #[arg(short = 'p', value_name = "PID", value_delimiter = ',')]
    pids: Vec<String>,
    /// Users (names or uids) whose processes' files to list.
    #[arg(short = 'u', value_name = "USER", value_delimiter = ',')]
    users: Vec<String>,
    /// Internet sockets: [4|6][tcp|udp][@HOST][:PORT[,PORT|-PORT]]; alone, all of them.
    #[arg(short = 'i', value_name = "SPEC", num_args = 0..=1, default_missing_value = "")]
    inet: Vec<String>,
    /// (`+D DIR`) files at or below DIR, searched by name as lsof's +D.
    #[arg(long = "dir", value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Files whose holders to list.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print a JSON array of rows instead of lsof's table.
    #[arg(long)]
    json: bool,
}

/// lsof spells "list files under DIR" `+D DIR`, which no option parser takes: after
/// `files`, `+D` becomes `--dir`.
pub fn rewrite_plus_options(args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_none_or(|a| a != "files") {
        return args;
    }
    args.into_iter()
        .map(|a| {
            if a == "+D" {
                OsString::from("--dir")
            } else {
                a
            }
        })
        .collect()
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let users = Users::load();
    let mut selection = Selection::default();
    for pid in &args.pids {
        let Ok(n) = pid.parse::<i32>() else {
            bail!("-p {pid}: not a process id (give a number, as `pgrep NAME` prints)");
        };
        if n <= 0 || !std::path::Path::new(&format!("/proc/{n}")).exists() {
            bail!(
                "-p {pid}: no such process (it has exited, or the PID is mistyped; `ps -e` lists them)"
            );
        }
        selection.pids.push(n);
    }
    for user in &args.users {
        selection.add_user(&users, user)?;
    }
    for spec in &args.inet {
        selection.inet.push(InetSpec::parse(spec)?);
    }
    for path in &args.paths {
        selection.add_file(path)?;
    }
    for dir in &args.dirs {
        selection.add_dir(dir)?;
    }
    let rows = inspect::files::list(&selection)?;
    let unreadable = rows
        .iter()
        .filter(|r| r.fd == inspect::files::FdKind::NoFd && r.name.contains("Permission denied"))
        .count();
    if unreadable > 0 {
        diag!(
            "sysfence: the descriptors of {unreadable} process{} could not be read (Permission denied): reading other users' needs CAP_SYS_PTRACE; run as root to see them all",
            if unreadable == 1 { "" } else { "es" }
        );
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else if !rows.is_empty() {
        print_table(&mut out, &rows)?;
    }
    Ok(if rows.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// lsof's table: COMMAND (9 characters, as lsof cuts it) and USER and NAME left-aligned,
/// the other columns right-aligned, each as wide as its widest cell.
fn print_table(out: &mut impl Write, rows: &[OpenFile]) -> Result<()> {
    let header = [
        "COMMAND", "PID", "USER", "FD", "TYPE", "DEVICE", "SIZE/OFF", "NODE", "NAME",
    ];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.command.chars().take(9).collect(),
                r.pid.to_string(),
                r.user.clone(),
                r.fd.lsof_text(),
                r.file_type.clone(),
                r.device.clone(),
                r.size_off.clone(),
                r.node.clone(),
                r.name.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, row: [&str; 9]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate() {
            let w = widths[i];
            let piece = match i {
                0 | 2 | 8 => format!("{cell:<w$}"),
                _ => format!("{cell:>w$}"),
            };
            if i > 0 {
                text.push(' ');
            }
            text.push_str(&piece);
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, header)?;
    for c in &cells {
        line(
            out,
            [
                &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8],
            ],
        )?;
    }
    Ok(())
}
