//! Docker/moby seccomp JSON: import (with `includes`/`excludes` resolved for a host ABI,
//! a capability set and a kernel version, as dockerd does) and export.

use crate::{Action, CmpOp, Condition, Policy, PolicyError, Rule, UnknownKeys, Warning};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use syscalls::Arch;

/// The capabilities Docker grants a container by default (without the `CAP_` prefix).
pub const DOCKER_DEFAULT_CAPS: [&str; 14] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Every Linux capability (without the `CAP_` prefix), in number order: the names moby
/// profiles use in `includes.caps`/`excludes.caps` (there with the prefix).
pub const CAPABILITIES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// A capability name that is not a Linux capability.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown capability `{name}`{hint}: the known capabilities are {known} (the CAP_ prefix and case are optional; ALL means every one)",
    known = known_capabilities()
)]
pub struct UnknownCapability {
    /// The name as given.
    pub name: String,
    /// ` (did you mean CAP_X?)`, or empty.
    hint: String,
}

fn known_capabilities() -> String {
    CAPABILITIES.map(|c| format!("CAP_{c}")).join(", ")
}

/// Checks a capability list as `docker run --cap-add` reads it and spells each `CAP_X`:
/// `ALL` means every capability; empty entries are skipped (so `""` means none).
pub fn capabilities(names: &[String]) -> Result<Vec<String>, UnknownCapability> {
    let mut caps = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if name.eq_ignore_ascii_case("ALL") {
            caps.extend(CAPABILITIES.iter().map(|c| format!("CAP_{c}")));
            continue;
        }
        let upper = name.to_ascii_uppercase();
        let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
        if !CAPABILITIES.contains(&bare) {
            let close = syscalls::closest_names(bare, CAPABILITIES.iter().copied());
            let hint = match close.first() {
                Some(c) => format!(" (did you mean CAP_{c}?)"),
                None => String::new(),
            };
            return Err(UnknownCapability {
                name: shown(name),
                hint,
            });
        }
        caps.push(format!("CAP_{bare}"));
    }
    Ok(caps)
}

/// Syscall names of Linux ABIs sysfence does not model (arm, s390, riscv, powerpc, ...):
/// profiles name them for those machines, and they are skipped without a warning, as
/// Docker skips names the host's libseccomp cannot resolve.
const OTHER_ABI_NAMES: &[&str] = &[
    "arm_fadvise64_64",
    "arm_sync_file_range",
    "breakpoint",
    "cacheflush",
    "set_tls",
    "usr26",
    "usr32",
    "s390_pci_mmio_read",
    "s390_pci_mmio_write",
    "s390_runtime_instr",
    "s390_guarded_storage",
    "s390_sthyi",
    "riscv_flush_icache",
    "riscv_hwprobe",
    "sync_file_range2",
    "swapcontext",
    "spu_create",
    "spu_run",
    "subpage_prot",
    "switch_endian",
    "sys_debug_setcontext",
    "multiplexer",
    "rtas",
    "recv",
    "send",
    "sysmips",
    "cachectl",
    "sysriscv",
];

/// How to resolve a moby profile's conditional entries, as dockerd does for one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// The host ABI: chooses the `archMap` entry and matches `includes.arches`.
    pub host: Arch,
    /// The container's capabilities, with or without the `CAP_` prefix.
    pub caps: Vec<String>,
    /// The kernel version (major, minor) compared with `minKernel`.
    pub kernel: (u32, u32),
}

impl Resolve {
    /// Docker's defaults: the default capability set on `host` with `kernel`.
    pub fn docker_default(host: Arch, kernel: (u32, u32)) -> Resolve {
        Resolve {
            host,
            caps: DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect(),
            kernel,
        }
    }

    fn has_cap(&self, cap: &str) -> bool {
        let want = cap.strip_prefix("CAP_").unwrap_or(cap);
        self.caps.iter().any(|c| {
            c.strip_prefix("CAP_")
                .unwrap_or(c)
                .eq_ignore_ascii_case(want)
        })
    }
}

/// The result of an import: the policy plus what was skipped or looked wrong.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The policy.
    pub policy: Policy,
    /// Names no modelled ABI has (likely typos), and similar findings.
    pub warnings: Vec<Warning>,
}

/// A moby/OCI profile object as written (read by `read::profile`, written by serde).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawProfile {
    pub default_action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_errno_ret: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architectures: Option<Vec<String>>,
    #[serde(skip_serializing)]
    pub arch_map: Option<Vec<RawArchMap>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener_metadata: Option<String>,
    pub syscalls: Option<Vec<RawSyscall>>,
    /// Keys the format does not define, found while reading.
    #[serde(skip)]
    pub unknown_keys: Vec<crate::keys::UnknownKey>,
}

/// One `archMap` entry: a main ABI and the ABIs that come with it.
#[derive(Debug)]
pub(crate) struct RawArchMap {
    pub architecture: String,
    pub sub_architectures: Option<Vec<String>>,
}

/// One `syscalls` entry.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawSyscall {
    #[serde(skip_serializing)]
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno_ret: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<RawArg>>,
    #[serde(skip_serializing)]
    pub includes: Option<RawFilter>,
    #[serde(skip_serializing)]
    pub excludes: Option<RawFilter>,
}

/// One argument condition.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawArg {
    pub index: u64,
    pub value: u64,
    pub value_two: u64,
    pub op: String,
}

/// moby's `includes`/`excludes`.
#[derive(Debug, Default)]
pub(crate) struct RawFilter {
    pub caps: Option<Vec<String>>,
    pub arches: Option<Vec<String>>,
    pub min_kernel: Option<String>,
}

/// The name moby's `includes.arches` uses for a host ABI (Go's GOARCH, or libseccomp's).
fn moby_arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "amd64",
        Arch::I386 => "x86",
        Arch::X32 => "x32",
        Arch::Aarch64 => "arm64",
    }
}

/// libseccomp's `SCMP_ARCH_*` spelling of an ABI.
pub fn scmp_arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "SCMP_ARCH_X86_64",
        Arch::I386 => "SCMP_ARCH_X86",
        Arch::X32 => "SCMP_ARCH_X32",
        Arch::Aarch64 => "SCMP_ARCH_AARCH64",
    }
}

/// Parses a moby profile and resolves it for `resolve`. `file` names the input in errors;
/// a misspelt key is an error (see [`UnknownKeys`]).
pub fn import(text: &str, file: &str, resolve: &Resolve) -> Result<Imported, PolicyError> {
    let value: crate::node::Node =
        serde_json::from_str(text).map_err(|e| PolicyError::from_json(file, &e))?;
    from_value(value, file, resolve, UnknownKeys::default())
}

/// Imports a parsed moby profile.
pub(crate) fn from_value(
    value: crate::node::Node,
    file: &str,
    resolve: &Resolve,
    keys: UnknownKeys,
) -> Result<Imported, PolicyError> {
    let raw = crate::read::profile(value, "", file, &[])?;
    from_raw(raw, file, Some(resolve), "", keys)
}

/// `field` under the object at `at` (`""` for the document itself).
pub(crate) fn under(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_string()
    } else {
        format!("{at}.{field}")
    }
}

/// Turns a parsed profile found at `at` in the document into a policy; `resolve: None`
/// refuses conditional entries (OCI). Unknown keys are warnings, misspelt ones errors
/// unless `keys` says otherwise.
pub(crate) fn from_raw(
    mut raw: RawProfile,
    file: &str,
    resolve: Option<&Resolve>,
    at: &str,
    keys: UnknownKeys,
) -> Result<Imported, PolicyError> {
    let err = |loc: String, msg: String| PolicyError::invalid(file, under(at, &loc), msg);
    let mut warnings = crate::keys::findings(std::mem::take(&mut raw.unknown_keys), file, keys)?;
    let default_errno = match raw.default_errno_ret {
        Some(v) => Some(errno_value(v).map_err(|m| err("defaultErrnoRet".into(), m))?),
        None => None,
    };
    let default_action = Action::from_docker(&raw.default_action, default_errno)
        .map_err(|e| err("defaultAction".into(), e.to_string()))?;

    let mut arches = Vec::new();
    if let (Some(map), Some(res)) = (&raw.arch_map, resolve)
        && raw.architectures.as_ref().is_none_or(Vec::is_empty)
    {
        for (i, entry) in map.iter().enumerate() {
            let Ok(main) = parse_scmp_arch(&entry.architecture) else {
                continue;
            };
            if main != res.host {
                continue;
            }
            arches.push(main);
            for (j, sub) in entry.sub_architectures.iter().flatten().enumerate() {
                match parse_scmp_arch(sub) {
                    Ok(a) => arches.push(a),
                    Err(_) => warnings.push(Warning {
                        location: under(at, &format!("archMap[{i}].subArchitectures[{j}]")),
                        message: format!(
                            "{sub} is not an ABI sysfence models; its calls will be killed"
                        ),
                    }),
                }
            }
        }
    }
    for (i, name) in raw.architectures.iter().flatten().enumerate() {
        match parse_scmp_arch(name) {
            Ok(a) => arches.push(a),
            Err(_) => warnings.push(Warning {
                location: under(at, &format!("architectures[{i}]")),
                message: format!(
                    "{name} is not an ABI sysfence models (x86_64, i386, x32, aarch64); skipped"
                ),
            }),
        }
    }
    dedup_keep_order(&mut arches);

    let mut policy = Policy::new(default_action, arches);
    policy.flags = raw.flags.unwrap_or_default();
    policy.listener_path = raw.listener_path;
    policy.listener_metadata = raw.listener_metadata;

    let mut unknown = UnknownNames::default();
    for (i, call) in raw.syscalls.into_iter().flatten().enumerate() {
        let at = under(at, &format!("syscalls[{i}]"));
        if !applies(&call, resolve, &at, file)? {
            continue;
        }
        let err = |loc: String, msg: String| PolicyError::invalid(file, loc, msg);
        let errno = match call.errno_ret {
            Some(v) => Some(errno_value(v).map_err(|m| err(format!("{at}.errnoRet"), m))?),
            None => None,
        };
        let action = Action::from_docker(&call.action, errno)
            .map_err(|e| err(format!("{at}.action"), e.to_string()))?;
        let conditions = conditions(call.args.as_deref().unwrap_or(&[]), &at, file)?;
        let names: Vec<String> = call
            .names
            .unwrap_or_default()
            .into_iter()
            .chain(call.name)
            .collect();
        if names.is_empty() {
            return Err(err(
                at,
                "no syscall named: give `names` (a list) or `name`".into(),
            ));
        }
        for (j, name) in names.into_iter().enumerate() {
            if !known_anywhere(&name) {
                if !OTHER_ABI_NAMES.contains(&name.as_str()) {
                    unknown.push(&name, || format!("{at}.names[{j}]"), &mut warnings);
                }
                continue;
            }
            policy.rules.push(Rule {
                syscall: name,
                action,
                conditions: conditions.clone(),
                arches: Vec::new(),
            });
        }
    }
    unknown.finish(&mut warnings);
    policy.validate().map_err(|e| e.in_file(file))?;
    Ok(Imported { policy, warnings })
}

/// How many unknown names get a warning of their own (with suggestions); the rest are
/// counted in one summary warning, so a file of thousands of bad names is read quickly.
pub const MAX_NAME_WARNINGS: usize = 20;

/// The unknown names of one profile: the first few warned about, the rest counted.
#[derive(Default)]
struct UnknownNames {
    seen: usize,
    first_unwarned: Option<String>,
}

impl UnknownNames {
    fn push(&mut self, name: &str, location: impl FnOnce() -> String, out: &mut Vec<Warning>) {
        self.seen += 1;
        if self.seen <= MAX_NAME_WARNINGS {
            out.push(unknown_name_warning(name, location()));
        } else if self.first_unwarned.is_none() {
            self.first_unwarned = Some(location());
        }
    }

    fn finish(self, out: &mut Vec<Warning>) {
        if let Some(location) = self.first_unwarned {
            let more = self.seen - MAX_NAME_WARNINGS;
            out.push(Warning {
                location,
                message: format!(
                    "{more} more unknown syscall names (no ABI has them), from here on; skipped"
                ),
            });
        }
    }
}

/// The warning for a name no modelled ABI has, with the closest names as suggestions.
pub fn unknown_name_warning(name: &str, location: String) -> Warning {
    let mut message = format!("unknown syscall `{}` (no ABI has it); skipped", shown(name));
    let close = syscalls::closest_names(name, all_names().iter().copied());
    if !close.is_empty() {
        message.push_str(&format!("; did you mean `{}`?", close.join("`, `")));
    }
    Warning { location, message }
}

/// A name or value for a message: at most 64 characters, with the length when cut.
pub fn shown(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        None => text.to_string(),
        Some((end, _)) => format!("{}... ({} bytes)", &text[..end], text.len()),
    }
}

/// The syscall names of every modelled ABI, once each.
fn all_names() -> &'static BTreeSet<&'static str> {
    static NAMES: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        Arch::ALL
            .iter()
            .flat_map(|a| a.table().entries().iter().map(|s| s.name))
            .collect()
    })
}

/// Whether any modelled ABI has a syscall of this name.
pub fn known_anywhere(name: &str) -> bool {
    all_names().contains(name)
}

fn dedup_keep_order(arches: &mut Vec<Arch>) {
    let mut seen = Vec::new();
    arches.retain(|a| {
        let new = !seen.contains(a);
        seen.push(*a);
        new
    });
}

fn parse_scmp_arch(name: &str) -> Result<Arch, syscalls::UnknownArch> {
    name.parse()
}

fn errno_value(v: u64) -> Result<u16, String> {
    u16::try_from(v).map_err(|_| format!("errno {v} is out of range: use 0-65535"))
}

/// Whether a conditional entry applies, dockerd's way: every exclude rules it out, every
/// include must hold. Without a resolver, conditional entries are an error.
fn applies(
    call: &RawSyscall,
    resolve: Option<&Resolve>,
    at: &str,
    file: &str,
) -> Result<bool, PolicyError> {
    let Some(res) = resolve else {
        if call.includes.is_some() || call.excludes.is_some() {
            return Err(PolicyError::invalid(
                file,
                at,
                "`includes`/`excludes` are moby extensions, not OCI: import as --from docker",
            ));
        }
        return Ok(true);
    };
    let host = moby_arch_name(res.host);
    if let Some(ex) = &call.excludes {
        if ex.arches.iter().flatten().any(|a| a == host) {
            return Ok(false);
        }
        if ex.caps.iter().flatten().any(|c| res.has_cap(c)) {
            return Ok(false);
        }
        if let Some(k) = &ex.min_kernel
            && res.kernel >= parse_kernel(k, &format!("{at}.excludes.minKernel"), file)?
        {
            return Ok(false);
        }
    }
    if let Some(inc) = &call.includes {
        if let Some(arches) = &inc.arches
            && !arches.is_empty()
            && !arches.iter().any(|a| a == host)
        {
            return Ok(false);
        }
        if !inc.caps.iter().flatten().all(|c| res.has_cap(c)) {
            return Ok(false);
        }
        if let Some(k) = &inc.min_kernel
            && res.kernel < parse_kernel(k, &format!("{at}.includes.minKernel"), file)?
        {
            return Ok(false);
        }
    }
    Ok(true)
}

fn parse_kernel(text: &str, at: &str, file: &str) -> Result<(u32, u32), PolicyError> {
    let bad = || {
        PolicyError::invalid(
            file,
            at,
            format!(
                "kernel version `{}` is not MAJOR.MINOR (e.g. \"4.8\")",
                shown(text)
            ),
        )
    };
    let (major, minor) = text.split_once('.').ok_or_else(bad)?;
    let minor = minor.split('.').next().unwrap_or(minor);
    Ok((
        major.parse().map_err(|_| bad())?,
        minor.parse().map_err(|_| bad())?,
    ))
}

fn conditions(args: &[RawArg], at: &str, file: &str) -> Result<Vec<Condition>, PolicyError> {
    if args.len() > crate::model::MAX_CONDITIONS {
        return Err(PolicyError::invalid(
            file,
            format!("{at}.args"),
            format!(
                "{} argument conditions; a syscall has at most 6 arguments",
                args.len()
            ),
        ));
    }
    args.iter()
        .enumerate()
        .map(|(k, a)| {
            let loc = format!("{at}.args[{k}]");
            if a.index > 5 {
                return Err(PolicyError::invalid(
                    file,
                    format!("{loc}.index"),
                    format!("argument index {} is out of range: use 0-5", a.index),
                ));
            }
            let (op, value) = match a.op.as_str() {
                "SCMP_CMP_EQ" => (CmpOp::Eq, a.value),
                "SCMP_CMP_NE" => (CmpOp::Ne, a.value),
                "SCMP_CMP_LT" => (CmpOp::Lt, a.value),
                "SCMP_CMP_LE" => (CmpOp::Le, a.value),
                "SCMP_CMP_GE" => (CmpOp::Ge, a.value),
                "SCMP_CMP_GT" => (CmpOp::Gt, a.value),
                "SCMP_CMP_MASKED_EQ" => (CmpOp::MaskedEq { mask: a.value }, a.value_two),
                other => {
                    return Err(PolicyError::invalid(
                        file,
                        format!("{loc}.op"),
                        format!(
                            "unknown operator `{}`: use SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ",
                            shown(other)
                        ),
                    ));
                }
            };
            Ok(Condition {
                arg: a.index as u8,
                op,
                value,
            })
        })
        .collect()
}

/// Builds the moby/OCI JSON object for a policy (its simplified form, see
/// `Policy::simplified`): rules with the same action and conditions share one entry where
/// that keeps, for every syscall, the order of its rules (of equally restrictive matching
/// rules the first answers). Rules that differ between ABIs cannot be expressed (moby's
/// `includes.arches` selects by the host's architecture, not the calling ABI) and are an
/// error naming them.
pub(crate) fn to_raw(policy: &Policy) -> Result<RawProfile, PolicyError> {
    let policy = &policy
        .without_abi_rules()
        .map_err(per_abi_error)?
        .simplified();
    let (default_action, default_errno) = (policy.default_action, policy.default_action.data());
    let groups = ordered_groups(&policy.rules);
    let syscalls = groups
        .into_iter()
        .map(|((action, conds), mut names)| {
            names.sort();
            RawSyscall {
                names: Some(names),
                action: action.docker_name().to_string(),
                errno_ret: action.data().map(u64::from),
                args: (!conds.is_empty()).then(|| conds.iter().map(raw_arg).collect()),
                ..RawSyscall::default()
            }
        })
        .collect();
    Ok(RawProfile {
        default_action: default_action.docker_name().to_string(),
        default_errno_ret: default_errno.map(u64::from),
        architectures: (!policy.arches.is_empty()).then(|| {
            policy
                .arches
                .iter()
                .map(|a| scmp_arch_name(*a).to_string())
                .collect()
        }),
        flags: (!policy.flags.is_empty()).then(|| policy.flags.clone()),
        listener_path: policy.listener_path.clone(),
        listener_metadata: policy.listener_metadata.clone(),
        syscalls: Some(syscalls),
        arch_map: None,
        unknown_keys: Vec::new(),
    })
}

/// The error for rules that differ between ABIs, naming them.
pub(crate) fn per_abi_error(differences: Vec<String>) -> PolicyError {
    PolicyError::invalid(
        "",
        "rules",
        format!(
            "these syscalls are answered differently on different ABIs, which this format cannot express (it applies every rule to every ABI it names; moby's includes.arches selects by the host's architecture, not the calling ABI): {}; write --format bpf, which keeps the difference, or split the profile per ABI",
            differences.join("; ")
        ),
    )
}

/// What the rules of one `syscalls` entry share: the action and the conditions.
type Kind = (Action, Vec<Condition>);

/// Groups rules by (action, conditions) into entries, in order: a rule joins the earliest
/// entry of its kind that comes after every entry holding an earlier rule of its syscall,
/// so each syscall's rules keep their order once the entries are read back.
fn ordered_groups(rules: &[Rule]) -> Vec<(Kind, Vec<String>)> {
    let mut groups: Vec<(Kind, Vec<String>)> = Vec::new();
    let mut last: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in rules {
        let mut conds = rule.conditions.clone();
        conds.sort();
        let key = (rule.action, conds);
        let from = last.get(rule.syscall.as_str()).copied().unwrap_or(0);
        let i = match groups.iter().skip(from).position(|(k, _)| *k == key) {
            Some(j) => from + j,
            None => {
                groups.push((key, Vec::new()));
                groups.len() - 1
            }
        };
        if !groups[i].1.contains(&rule.syscall) {
            groups[i].1.push(rule.syscall.clone());
        }
        last.insert(&rule.syscall, i);
    }
    groups
}

fn raw_arg(c: &Condition) -> RawArg {
    let (value, value_two) = match c.op {
        CmpOp::MaskedEq { mask } => (mask, c.value),
        _ => (c.value, 0),
    };
    RawArg {
        index: u64::from(c.arg),
        value,
        value_two,
        op: c.op.docker_name().to_string(),
    }
}

/// Writes a policy as a moby profile (pretty JSON, newline-terminated). Docker also
/// accepts it as `--security-opt seccomp=FILE`.
pub fn export(policy: &Policy) -> Result<String, PolicyError> {
    let raw = to_raw(policy)?;
    let mut text = serde_json::to_string_pretty(&raw).expect("a profile always serialises");
    text.push('\n');
    Ok(text)
}
