//! `sysfence profile`: read, convert, compile and inspect seccomp profiles.

use super::profile_io::{ResolveArgs, load_policy, load_policy_quietly};
use crate::output::{refuse_binary_to_terminal, write_document};
use anyhow::{Context, Result};
use policy::{Action, Condition, Policy, docker, k8s, oci, systemd};
use seccomp::{Program, Target, compile, disasm, lint};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `sysfence profile`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ProfileCommand,
}

#[derive(clap::Subcommand)]
enum ProfileCommand {
    /// Summarise a profile: default action, ABIs, rules grouped by answer.
    #[command(after_help = "Example:\n  sysfence profile show default.json")]
    Show {
        /// The profile (moby JSON, OCI linux.seccomp or config.json, Kubernetes SeccompProfile).
        file: PathBuf,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
    /// Compile a profile to raw BPF (sock_filter[], little endian), as `bwrap --seccomp FD` reads.
    #[command(after_help = "Example:\n  sysfence profile compile default.json -o default.bpf")]
    Compile {
        /// The profile.
        file: PathBuf,
        /// Where to write the program (atomically); stdout when absent.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
    /// A readable listing of a compiled program, or of the program a profile compiles to.
    #[command(
        after_help = "Examples:\n  sysfence profile disasm default.json\n  sysfence profile disasm default.bpf"
    )]
    Disasm {
        /// A raw BPF file or a profile.
        file: PathBuf,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
    /// Report pitfalls: missing arch/x32 guards, uncached paths, rules equal to the default,
    /// io_uring allowed, KILL_THREAD, vDSO syscalls denied, unknown names. Exits 1 when it
    /// finds any.
    #[command(
        after_help = "Examples:\n  sysfence profile lint default.json\n  sysfence profile lint filter.bpf"
    )]
    Lint {
        /// A profile or a raw BPF file.
        file: PathBuf,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
    /// Merge profiles with the same default action: what any of them allows is allowed, on
    /// the ABIs that profile targets. Where the result answers differently per ABI, only
    /// --format bpf can express it; the other formats refuse, naming the syscalls.
    #[command(
        after_help = "Examples:\n  sysfence profile merge base.json extra.json -o merged.json\n  sysfence profile merge default.json x86_64-extra.json --format bpf -o merged.bpf"
    )]
    Merge {
        /// The profiles.
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// The output format.
        #[arg(long, value_enum, default_value = "docker")]
        format: OutputFormat,
        /// Where to write the merged profile (atomically); stdout when absent.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
    /// Show how two profiles answer differently (default, ABIs, each syscall). Exits 1 when
    /// they differ, as diff(1) does.
    #[command(after_help = "Example:\n  sysfence profile diff old.json new.json")]
    Diff {
        /// The first profile.
        a: PathBuf,
        /// The second profile.
        b: PathBuf,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
    /// Convert a profile to another format.
    #[command(
        after_help = "Example:\n  sysfence profile convert default.json --format oci -o seccomp.json"
    )]
    Convert {
        /// The profile.
        file: PathBuf,
        /// The output format.
        #[arg(long, value_enum)]
        format: OutputFormat,
        /// Where to write (atomically); stdout when absent.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        resolve: ResolveArgs,
    },
}

/// The formats a policy is written in.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum OutputFormat {
    /// Docker/moby JSON (with the profile's includes/excludes already resolved).
    Docker,
    /// OCI runtime-spec `linux.seccomp` object.
    Oci,
    /// Kubernetes Security Profiles Operator SeccompProfile (YAML, v1beta1).
    K8s,
    /// systemd unit settings (SystemCallFilter=...); argument conditions made stricter.
    Systemd,
    /// The compiled program: raw BPF.
    Bpf,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        ProfileCommand::Show { file, resolve } => show(&file, &resolve),
        ProfileCommand::Compile {
            file,
            output,
            resolve,
        } => {
            if output.is_none() {
                refuse_binary_to_terminal("the compiled BPF program")?;
            }
            let policy = load_policy(&file, &resolve)?;
            let program = compile_for(&policy).with_context(|| in_rules(&file))?;
            write_document(output.as_deref(), &program.to_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Disasm { file, resolve } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let program = if policy::is_profile_text(&bytes) {
                compile_for(&load_policy(&file, &resolve)?)?
            } else {
                Program::from_bytes(&bytes).with_context(|| file.display().to_string())?
            };
            write_document(None, disasm::disassemble(&program).as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Lint { file, resolve } => lint_file(&file, &resolve),
        ProfileCommand::Merge {
            files,
            format,
            output,
            resolve,
        } => {
            if output.is_none() && matches!(format, OutputFormat::Bpf) {
                refuse_binary_to_terminal("--format bpf")?;
            }
            let policies = files
                .iter()
                .map(|f| load_policy(f, &resolve))
                .collect::<Result<Vec<_>>>()?;
            let merged = policy::merge(&policies)?;
            let bytes =
                export(&merged, format, "merged").context("cannot write the merged profile")?;
            write_document(output.as_deref(), &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Diff { a, b, resolve } => {
            let (pa, pb) = (load_policy(&a, &resolve)?, load_policy(&b, &resolve)?);
            let differences = policy::diff(&pa, &pb);
            let text: String = differences.iter().map(|d| format!("{d}\n")).collect();
            write_document(None, text.as_bytes())?;
            Ok(if differences.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ProfileCommand::Convert {
            file,
            format,
            output,
            resolve,
        } => {
            if output.is_none() && matches!(format, OutputFormat::Bpf) {
                refuse_binary_to_terminal("--format bpf")?;
            }
            let policy = load_policy(&file, &resolve)?;
            let bytes = export(&policy, format, &resource_name(&file))
                .with_context(|| format!("cannot convert {}", file.display()))?;
            write_document(output.as_deref(), &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The policy written in `format` (`name` names a Kubernetes resource).
pub(super) fn export(policy: &Policy, format: OutputFormat, name: &str) -> Result<Vec<u8>> {
    Ok(match format {
        OutputFormat::Docker => docker::export(policy)?.into_bytes(),
        OutputFormat::Oci => oci::export(policy)?.into_bytes(),
        OutputFormat::K8s => k8s::export(policy, name)?.into_bytes(),
        OutputFormat::Systemd => systemd::export(policy)?.into_bytes(),
        OutputFormat::Bpf => compile_for(policy)?.to_bytes(),
    })
}

/// Compiles for the ABIs the policy names.
pub fn compile_for(policy: &Policy) -> Result<Program> {
    Ok(compile(policy, &Target::for_policy(policy))?)
}

/// Where a compile error is placed: the profile's rules as a whole.
fn in_rules(file: &std::path::Path) -> String {
    format!("{}: syscalls", file.display())
}

fn show(file: &std::path::Path, resolve: &ResolveArgs) -> Result<ExitCode> {
    use std::fmt::Write as _;
    let mut text = String::new();
    macro_rules! o {
        ($($arg:tt)*) => { let _ = writeln!(text, $($arg)*); };
    }
    let policy = load_policy(file, resolve)?;
    let program = compile_for(&policy).with_context(|| in_rules(file))?;
    let arches: Vec<&str> = policy.target_arches().iter().map(|a| a.name()).collect();
    o!("profile:        {}", file.display());
    o!("default action: {}", policy.default_action);
    o!(
        "architectures:  {} (any other ABI is killed)",
        arches.join(", ")
    );
    let mut groups: BTreeMap<(u8, Action, Vec<Condition>), Vec<&str>> = BTreeMap::new();
    for r in &policy.rules {
        groups
            .entry((r.action.severity(), r.action, r.conditions.clone()))
            .or_default()
            .push(&r.syscall);
    }
    o!(
        "rules:          {} for {} syscalls",
        policy.rules.len(),
        policy.syscall_names().len()
    );
    for ((_, action, conds), mut names) in groups {
        names.sort_unstable();
        names.dedup();
        let when = if conds.is_empty() {
            String::new()
        } else {
            let c: Vec<String> = conds.iter().map(Condition::to_string).collect();
            format!(" if {}", c.join(" && "))
        };
        o!("  {action}{when} ({}):", names.len());
        for line in wrap(&names, 92) {
            o!("      {line}");
        }
    }
    o!("compiled:       {} BPF instructions", program.len());
    write_document(None, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn lint_file(file: &std::path::Path, resolve: &ResolveArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut findings: Vec<String> = Vec::new();
    if policy::is_profile_text(&bytes) {
        let (policy, warnings) = load_policy_quietly(file, resolve)?;
        findings.extend(warnings.iter().map(|w| format!("[import] {w}")));
        findings.extend(lint::lint_policy(&policy).iter().map(|f| f.to_string()));
        let program = compile_for(&policy)?;
        findings.extend(lint::lint_program(&program).iter().map(|f| f.to_string()));
    } else {
        let program = Program::from_bytes(&bytes).with_context(|| file.display().to_string())?;
        findings.extend(lint::lint_program(&program).iter().map(|f| f.to_string()));
    }
    let mut text: String = findings
        .iter()
        .map(|f| format!("{}: {f}\n", file.display()))
        .collect();
    if findings.is_empty() {
        text.push_str(&format!("{}: no findings\n", file.display()));
    } else {
        let plural = if findings.len() == 1 { "" } else { "s" };
        text.push_str(&format!("{} finding{plural}\n", findings.len()));
    }
    write_document(None, text.as_bytes())?;
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A Kubernetes resource name from a file name: lower case, `[a-z0-9-]`, at most 63 chars.
pub(super) fn resource_name(file: &std::path::Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    name = name.trim_matches('-').chars().take(63).collect();
    if name.is_empty() {
        "profile".to_string()
    } else {
        name
    }
}

/// Joins words with spaces into lines of at most `width` characters (longer words alone).
fn wrap(words: &[&str], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in words {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
