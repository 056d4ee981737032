//! What the running kernel supports for sysfence's work, probed from the kernel itself
//! first (prctl, seccomp(2), bpf(2), lsm_list_modules(2), /proc/sys, /sys/kernel) and from
//! its build configuration second.

use crate::sys;
use crate::taint::{Taint, decode_mask};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One seccomp action and whether the kernel offers and logs it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionSupport {
    /// The name as /proc/sys/kernel/seccomp/actions_avail spells it (`kill_process`).
    pub name: &'static str,
    /// What seccomp(SECCOMP_GET_ACTION_AVAIL) says; `None` when the call itself failed.
    pub available: Option<bool>,
    /// Whether /proc/sys/kernel/seccomp/actions_avail lists it.
    pub listed: bool,
    /// Whether actions_logged lists it (the audit log records it).
    pub logged: bool,
}

/// The sizes seccomp(SECCOMP_GET_NOTIF_SIZES) reports, which a supervisor's buffers need.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NotifSizes {
    /// `struct seccomp_notif`.
    pub seccomp_notif: u16,
    /// `struct seccomp_notif_resp`.
    pub seccomp_notif_resp: u16,
    /// `struct seccomp_data`.
    pub seccomp_data: u16,
}

/// Which build configuration was found, and the options sysfence cares about.
#[derive(Debug, Clone, Serialize)]
pub struct BuildConfig {
    /// The file read: /proc/config.gz or /boot/config-RELEASE.
    pub source: String,
    /// Each option of [`CONFIG_OPTIONS`] with its value (`y`, `m`, a string), or `None`
    /// when it is not set.
    pub options: BTreeMap<&'static str, Option<String>>,
}

/// The options `status` reports from the build configuration.
pub const CONFIG_OPTIONS: [&str; 14] = [
    "CONFIG_SECCOMP",
    "CONFIG_SECCOMP_FILTER",
    "CONFIG_SECCOMP_CACHE_DEBUG",
    "CONFIG_BPF_SYSCALL",
    "CONFIG_BPF_JIT",
    "CONFIG_BPF_LSM",
    "CONFIG_DEBUG_INFO_BTF",
    "CONFIG_LSM",
    "CONFIG_SECURITY",
    "CONFIG_MODULES",
    "CONFIG_KPROBES",
    "CONFIG_IA32_EMULATION",
    "CONFIG_X86_X32_ABI",
    "CONFIG_IKCONFIG_PROC",
];

/// Where the active LSM list came from.
#[derive(Debug, Clone, Serialize)]
pub struct Lsms {
    /// The LSMs, in the kernel's order.
    pub names: Vec<String>,
    /// `lsm_list_modules(2)`, `/sys/kernel/security/lsm` or `CONFIG_LSM (build config)`.
    pub source: String,
}

/// Everything `status` says about the kernel.
#[derive(Debug, Clone, Serialize)]
pub struct KernelSupport {
    /// `uname -r`.
    pub release: String,
    /// Strict mode (prctl(PR_GET_SECCOMP) answers: the kernel has CONFIG_SECCOMP).
    pub seccomp_strict: bool,
    /// Filter mode (the seccomp(2) syscall answers SECCOMP_GET_ACTION_AVAIL).
    pub seccomp_filter: bool,
    /// This process's own seccomp mode, as prctl(PR_GET_SECCOMP) gives it.
    pub own_seccomp_mode: Option<u32>,
    /// Each action, in the kernel's order of precedence.
    pub actions: Vec<ActionSupport>,
    /// User notification (SECCOMP_RET_USER_NOTIF) sizes, when the kernel reports them.
    pub notif_sizes: Option<NotifSizes>,
    /// Whether the bpf(2) syscall exists (a bad command gets EINVAL, not ENOSYS).
    pub bpf_syscall: bool,
    /// /proc/sys/net/core/bpf_jit_enable: 0 off, 1 on, 2 on with debug output.
    pub bpf_jit: Option<u32>,
    /// /proc/sys/kernel/unprivileged_bpf_disabled.
    pub unprivileged_bpf_disabled: Option<u32>,
    /// The size of /sys/kernel/btf/vmlinux, when the kernel exposes its BTF.
    pub btf_vmlinux_bytes: Option<u64>,
    /// The active LSMs.
    pub lsms: Lsms,
    /// /proc/sys/kernel/tainted.
    pub taint_mask: u64,
    /// The flags it sets.
    pub taints: Vec<Taint>,
    /// The build configuration, if one was found.
    pub config: Option<BuildConfig>,
}

/// The seccomp actions, strongest first, with their SECCOMP_RET_* values.
const ACTIONS: [(&str, u32); 8] = [
    ("kill_process", 0x8000_0000),
    ("kill_thread", 0),
    ("trap", 0x0003_0000),
    ("errno", 0x0005_0000),
    ("user_notif", 0x7fc0_0000),
    ("trace", 0x7ff0_0000),
    ("log", 0x7ffc_0000),
    ("allow", 0x7fff_0000),
];

/// Probes the running kernel.
pub fn probe() -> KernelSupport {
    let logged = read_words("/proc/sys/kernel/seccomp/actions_logged");
    let listed = read_words("/proc/sys/kernel/seccomp/actions_avail");
    let own_mode = sys::own_seccomp_mode();
    let actions = ACTIONS
        .iter()
        .map(|&(name, value)| ActionSupport {
            name,
            available: sys::seccomp_action_available(value),
            listed: listed.iter().any(|l| l == name),
            logged: logged.iter().any(|l| l == name),
        })
        .collect::<Vec<_>>();
    let config = read_config();
    let taint_mask = read_number("/proc/sys/kernel/tainted").unwrap_or(0);
    KernelSupport {
        release: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_default(),
        seccomp_strict: own_mode.is_some(),
        seccomp_filter: actions.iter().any(|a| a.available.is_some()),
        own_seccomp_mode: own_mode,
        actions,
        notif_sizes: sys::notif_sizes(),
        bpf_syscall: sys::bpf_syscall_exists(),
        bpf_jit: read_number("/proc/sys/net/core/bpf_jit_enable").map(|v| v as u32),
        unprivileged_bpf_disabled: read_number("/proc/sys/kernel/unprivileged_bpf_disabled")
            .map(|v| v as u32),
        btf_vmlinux_bytes: std::fs::metadata("/sys/kernel/btf/vmlinux")
            .ok()
            .map(|m| m.len()),
        lsms: active_lsms(config.as_ref()),
        taint_mask,
        taints: decode_mask(taint_mask).0,
        config,
    }
}

/// The active LSMs: from lsm_list_modules(2) where the kernel has it (6.8+), else from
/// securityfs, else from the build configuration's CONFIG_LSM (the boot default, which a
/// `lsm=` boot parameter may have changed).
fn active_lsms(config: Option<&BuildConfig>) -> Lsms {
    if let Some(ids) = sys::lsm_list_modules() {
        return Lsms {
            names: ids.into_iter().map(lsm_name).collect(),
            source: "lsm_list_modules(2)".into(),
        };
    }
    if let Some(text) = read_trimmed("/sys/kernel/security/lsm") {
        return Lsms {
            names: text.split(',').map(str::to_string).collect(),
            source: "/sys/kernel/security/lsm".into(),
        };
    }
    let from_config = config
        .and_then(|c| c.options.get("CONFIG_LSM").cloned().flatten())
        .map(|v| v.trim_matches('"').split(',').map(str::to_string).collect())
        .unwrap_or_default();
    Lsms {
        names: from_config,
        source: "CONFIG_LSM (build config)".into(),
    }
}

/// The name of an `LSM_ID_*` (include/uapi/linux/lsm.h).
fn lsm_name(id: u64) -> String {
    let name = match id {
        100 => "capability",
        101 => "selinux",
        102 => "smack",
        103 => "tomoyo",
        104 => "apparmor",
        105 => "yama",
        106 => "loadpin",
        107 => "safesetid",
        108 => "lockdown",
        109 => "bpf",
        110 => "landlock",
        111 => "ima",
        112 => "evm",
        113 => "ipe",
        other => return format!("lsm#{other}"),
    };
    name.to_string()
}

/// The build configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC) or
/// /boot/config-RELEASE, whichever exists, in that order.
fn read_config() -> Option<BuildConfig> {
    let release = read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_default();
    let boot = format!("/boot/config-{release}");
    let source = ["/proc/config.gz", boot.as_str()]
        .into_iter()
        .find(|p| Path::new(p).exists())?
        .to_string();
    let all = procfs::kernel_config().ok()?;
    let options = CONFIG_OPTIONS
        .iter()
        .map(|&name| {
            let value = all.get(name).map(|v| match v {
                procfs::ConfigSetting::Yes => "y".to_string(),
                procfs::ConfigSetting::Module => "m".to_string(),
                procfs::ConfigSetting::Value(s) => s.clone(),
            });
            (name, value)
        })
        .collect();
    Some(BuildConfig { source, options })
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn read_number(path: &str) -> Option<u64> {
    read_trimmed(path)?.parse().ok()
}

fn read_words(path: &str) -> Vec<String> {
    read_trimmed(path)
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}
