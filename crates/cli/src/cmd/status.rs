//! `sysfence status`: what the kernel supports, and every process's seccomp state and
//! the profile its filters decide as.

use anyhow::{Result, bail};
use inspect::kernel::{self, KernelSupport};
use inspect::profiles::{self, KnownProfile};
use inspect::status::ProcessStatus;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `sysfence status`.
#[derive(clap::Args)]
#[command(
    after_help = "Reading a process's filters seizes and interrupts it for a moment and
detaches at once (PTRACE_SECCOMP_GET_FILTER needs a stopped tracee).

Examples:
  sysfence status                       # kernel support, then every process
  sysfence status --filtered            # only processes under seccomp
  sysfence status 1234 5678 --json
  sysfence status --profiles /etc/docker/seccomp"
)]
pub struct Args {
    /// Processes to show (default: kernel support and every process).
    #[arg(value_name = "PID")]
    pids: Vec<i32>,
    /// Only processes in seccomp mode 1 (strict) or 2 (filter).
    #[arg(long)]
    filtered: bool,
    /// A directory of profiles (moby JSON, OCI, Kubernetes, raw BPF) to recognise
    /// filters as, besides moby's default.
    #[arg(long, value_name = "DIR")]
    profiles: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(bad) = args.pids.iter().find(|p| **p <= 0) {
        bail!("{bad} is not a process id (give PIDs as `pgrep NAME` prints them)");
    }
    let mut known = vec![profiles::moby_default()];
    if let Some(dir) = &args.profiles {
        known.extend(profiles::load_dir(dir)?);
    }
    let pids = (!args.pids.is_empty()).then_some(args.pids.as_slice());
    let kernel = pids.is_none().then(kernel::probe);
    let rows = inspect::status::processes(pids, args.filtered, &known)?;
    let groups = groups(&rows);
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = Json {
            kernel: kernel.as_ref(),
            processes: &rows,
            groups,
            known_profiles: known.iter().map(|k| KnownJson::new(k)).collect(),
        };
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(k) = &kernel {
        print_kernel(&mut out, k)?;
        writeln!(out)?;
    }
    print_processes(&mut out, &rows)?;
    if !groups.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Filters by what they decide (same fingerprint: same decisions):"
        )?;
        writeln!(out, "{:<18} {:<24} PIDS", "FINGERPRINT", "PROFILE")?;
        for g in &groups {
            let pids: Vec<String> = g.pids.iter().map(i32::to_string).collect();
            writeln!(
                out,
                "{:<18} {:<24} {}",
                g.fingerprint,
                g.profile,
                pids.join(" ")
            )?;
            if let Some(n) = &g.nearest {
                writeln!(
                    out,
                    "{:<18} nearest known profile: {}, {} calls decided otherwise (not a match; `sysfence dump PID --format profile` shows these filters as a profile)",
                    "", n.name, n.differing_calls
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The processes sharing one fingerprint.
#[derive(Serialize)]
struct Group {
    fingerprint: String,
    profile: String,
    /// For an unknown stack: the known profile nearest to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    nearest: Option<inspect::status::Nearest>,
    pids: Vec<i32>,
}

fn groups(rows: &[ProcessStatus]) -> Vec<Group> {
    let mut by: BTreeMap<String, Group> = BTreeMap::new();
    for r in rows {
        if let Some(fp) = r.profile.fingerprint() {
            by.entry(fp.to_string())
                .or_insert_with(|| Group {
                    fingerprint: fp.to_string(),
                    profile: r.profile.column(),
                    nearest: match &r.profile {
                        inspect::status::Recognised::Unknown { nearest, .. } => nearest.clone(),
                        _ => None,
                    },
                    pids: Vec::new(),
                })
                .pids
                .push(r.pid);
        }
    }
    by.into_values().collect()
}

#[derive(Serialize)]
struct Json<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    kernel: Option<&'a KernelSupport>,
    processes: &'a [ProcessStatus],
    groups: Vec<Group>,
    known_profiles: Vec<KnownJson<'a>>,
}

#[derive(Serialize)]
struct KnownJson<'a> {
    name: &'a str,
    source: &'a str,
    fingerprint: Option<String>,
}

impl KnownJson<'_> {
    fn new(k: &KnownProfile) -> KnownJson<'_> {
        KnownJson {
            name: &k.name,
            source: &k.source,
            fingerprint: inspect::decisions::fingerprint(&[&k.program]).ok(),
        }
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn print_kernel(out: &mut impl Write, k: &KernelSupport) -> Result<()> {
    let row = |out: &mut dyn Write, key: &str, value: String| writeln!(out, "  {key:<16}{value}");
    writeln!(out, "Kernel {} (probed from the running kernel)", k.release)?;
    row(
        out,
        "seccomp:",
        format!(
            "strict {} (prctl PR_GET_SECCOMP), filter {} (seccomp(2))",
            yes(k.seccomp_strict),
            yes(k.seccomp_filter)
        ),
    )?;
    let avail: Vec<&str> = k
        .actions
        .iter()
        .filter(|a| a.available == Some(true))
        .map(|a| a.name)
        .collect();
    let missing: Vec<&str> = k
        .actions
        .iter()
        .filter(|a| a.available != Some(true))
        .map(|a| a.name)
        .collect();
    let logged: Vec<&str> = k
        .actions
        .iter()
        .filter(|a| a.logged)
        .map(|a| a.name)
        .collect();
    let mut actions = avail.join(" ");
    if !missing.is_empty() {
        actions.push_str(&format!("; not available: {}", missing.join(" ")));
    }
    row(out, "actions:", actions)?;
    row(out, "actions logged:", logged.join(" "))?;
    row(
        out,
        "user notif:",
        match k.notif_sizes {
            Some(s) => format!(
                "yes (seccomp_notif {} bytes, seccomp_notif_resp {}, seccomp_data {})",
                s.seccomp_notif, s.seccomp_notif_resp, s.seccomp_data
            ),
            None => "no (SECCOMP_GET_NOTIF_SIZES failed)".into(),
        },
    )?;
    let jit = match k.bpf_jit {
        Some(0) => "JIT off".to_string(),
        Some(1) => "JIT on".to_string(),
        Some(2) => "JIT on, debug".to_string(),
        Some(n) => format!("bpf_jit_enable={n}"),
        None => "JIT unknown".to_string(),
    };
    let unpriv = k
        .unprivileged_bpf_disabled
        .map(|v| format!(", unprivileged_bpf_disabled={v}"))
        .unwrap_or_default();
    row(
        out,
        "BPF:",
        format!("bpf(2) {}, {jit}{unpriv}", yes(k.bpf_syscall)),
    )?;
    row(
        out,
        "BTF:",
        match k.btf_vmlinux_bytes {
            Some(n) => format!("yes (/sys/kernel/btf/vmlinux, {n} bytes)"),
            None => "no (/sys/kernel/btf/vmlinux is missing)".into(),
        },
    )?;
    row(
        out,
        "LSMs:",
        format!("{} (from {})", k.lsms.names.join(","), k.lsms.source),
    )?;
    let configured: Vec<String> = k
        .config
        .as_ref()
        .and_then(|c| c.options.get("CONFIG_LSM").cloned().flatten())
        .map(|v| v.trim_matches('"').split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let inactive: Vec<&str> = configured
        .iter()
        .filter(|n| !k.lsms.names.contains(n) && k.lsms.source != "CONFIG_LSM (build config)")
        .map(String::as_str)
        .collect();
    if !inactive.is_empty() {
        row(
            out,
            "",
            format!(
                "CONFIG_LSM also names {}: not active (not built in, or disabled at boot)",
                inactive.join(",")
            ),
        )?;
    }
    let taint = if k.taint_mask == 0 {
        "0 (not tainted)".to_string()
    } else {
        let flags: Vec<String> = k
            .taints
            .iter()
            .map(|t| format!("{} {}", t.letter, t.meaning))
            .collect();
        format!("{:#x}: {}", k.taint_mask, flags.join("; "))
    };
    row(out, "taint:", taint)?;
    row(
        out,
        "sysfence:",
        match k.own_seccomp_mode {
            Some(0) => "not under seccomp".to_string(),
            Some(m) => {
                format!("itself in seccomp mode {m}: it cannot read other processes' filters")
            }
            None => "-".to_string(),
        },
    )?;
    print_config(out, k)
}

/// The build configuration's options, naming the file they come from.
fn print_config(out: &mut impl Write, k: &KernelSupport) -> Result<()> {
    match &k.config {
        None => writeln!(
            out,
            "Build config: none found (neither /proc/config.gz nor /boot/config-{})",
            k.release
        )?,
        Some(c) => {
            writeln!(out, "Build config (from {}):", c.source)?;
            for (name, value) in &c.options {
                match value {
                    Some(v) => writeln!(out, "  {name}={v}")?,
                    None => writeln!(out, "  # {name} is not set")?,
                }
            }
        }
    }
    Ok(())
}

fn mode_name(mode: u32) -> String {
    match mode {
        0 => "0 disabled".into(),
        1 => "1 strict".into(),
        2 => "2 filter".into(),
        m => format!("{m} ?"),
    }
}

fn print_processes(out: &mut impl Write, rows: &[ProcessStatus]) -> Result<()> {
    let header = [
        "PID",
        "USER",
        "COMM",
        "SECCOMP",
        "FILTERS",
        "NNP",
        "PROFILE",
        "CONTAINER",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let mark = if r.threads_differ { "*" } else { "" };
            [
                r.pid.to_string(),
                r.user.clone(),
                r.comm.clone(),
                format!("{}{mark}", mode_name(r.seccomp.main.mode)),
                format!("{}{mark}", r.seccomp.main.filters),
                yes(r.seccomp.main.no_new_privs).to_string(),
                r.profile.column(),
                r.container.as_ref().map_or("-".into(), |c| c.short()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, row: [&str; 8]| -> std::io::Result<()> {
        let mut text = format!("{:>w$}", row[0], w = widths[0]);
        for (i, cell) in row.iter().enumerate().skip(1) {
            text.push_str(&format!("  {cell:<w$}", w = widths[i]));
        }
        writeln!(out, "{}", text.trim_end())
    };
    if rows.is_empty() {
        writeln!(
            out,
            "No process is in seccomp mode 1 (strict) or 2 (filter)."
        )?;
        return Ok(());
    }
    line(out, header)?;
    for c in &cells {
        line(
            out,
            [&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7]],
        )?;
    }
    // Each reason a profile could not be read, once, in full.
    let mut reasons: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for r in rows {
        if let inspect::status::Recognised::Unreadable { reason, detail } = &r.profile {
            reasons.entry(reason).or_insert((detail, 0)).1 += 1;
        }
    }
    if !reasons.is_empty() {
        writeln!(out)?;
        for (reason, (detail, n)) in &reasons {
            let plural = if *n == 1 { "" } else { "es" };
            writeln!(out, "? ({reason}), {n} process{plural}: {detail}")?;
        }
    }
    let differ: Vec<&ProcessStatus> = rows.iter().filter(|r| r.threads_differ).collect();
    if !differ.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "* threads differ (a filter installed without TSYNC, or strict mode entered by one thread):"
        )?;
        for r in differ {
            let tasks: Vec<String> = r
                .seccomp
                .tasks
                .iter()
                .map(|t| format!("{}: mode {} filters {}", t.tid, t.mode, t.filters))
                .collect();
            writeln!(out, "  {} {}: {}", r.pid, r.comm, tasks.join(", "))?;
        }
    }
    Ok(())
}
