//! systemd unit settings (`SystemCallFilter=`, `SystemCallErrorNumber=`,
//! `SystemCallArchitectures=`), export only. systemd has no argument conditions: where the
//! policy has them, the export is made stricter (a conditional allow is left out, a
//! conditional denial becomes unconditional) and a comment says so.

use crate::{Action, Policy, PolicyError};
use syscalls::Arch;

fn systemd_arch(arch: Arch) -> &'static str {
    match arch {
        Arch::X86_64 => "x86-64",
        Arch::I386 => "x86",
        Arch::X32 => "x32",
        Arch::Aarch64 => "arm64",
    }
}

fn errno_name(code: u16) -> String {
    syscalls::errno_by_code(i32::from(code))
        .map(|e| e.name.to_string())
        .unwrap_or_else(|| code.to_string())
}

fn allows(a: Action) -> bool {
    matches!(a, Action::Allow | Action::Log)
}

/// The `[Service]` settings enforcing (a stricter form of) `policy`. systemd applies its
/// filter to every ABI alike: rules that differ between ABIs are an error naming them.
pub fn export(policy: &Policy) -> Result<String, PolicyError> {
    let policy = &policy
        .without_abi_rules()
        .map_err(crate::docker::per_abi_error)?;
    let mut out = String::from("[Service]\n");
    let arches: Vec<&str> = policy
        .target_arches()
        .iter()
        .map(|a| systemd_arch(*a))
        .collect();
    out.push_str(&format!("SystemCallArchitectures={}\n", arches.join(" ")));
    let mut notes: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if allows(policy.default_action) {
        // A deny list: every syscall some rule blocks.
        for r in policy.rules.iter().filter(|r| !allows(r.action)) {
            if !r.conditions.is_empty() {
                notes.push(format!(
                    "{} is denied unconditionally (the profile denies it only under argument conditions)",
                    r.syscall
                ));
            }
            let entry = match r.action {
                Action::Errno(e) => format!("{}:{}", r.syscall, errno_name(e)),
                _ => r.syscall.clone(),
            };
            if !names.contains(&entry) {
                names.push(entry);
            }
        }
        names.sort();
        out.push_str(&format!("SystemCallFilter=~{}\n", names.join(" ")));
    } else {
        for r in policy.rules.iter().filter(|r| allows(r.action)) {
            if !r.conditions.is_empty() {
                notes.push(format!(
                    "{} is left out (the profile allows it only under argument conditions)",
                    r.syscall
                ));
                continue;
            }
            if !names.contains(&r.syscall) {
                names.push(r.syscall.clone());
            }
        }
        // A conditional allow of a name that is also allowed unconditionally is fine.
        notes.retain(|n| !names.iter().any(|s| n.starts_with(&format!("{s} "))));
        names.sort();
        out.push_str(&format!("SystemCallFilter={}\n", names.join(" ")));
        match policy.default_action {
            Action::Errno(e) => {
                out.push_str(&format!("SystemCallErrorNumber={}\n", errno_name(e)));
            }
            other => notes.push(format!(
                "other syscalls get SIGSYS (systemd's default), the profile says {other}"
            )),
        }
    }
    notes.sort();
    notes.dedup();
    let mut text = String::new();
    for n in notes {
        text.push_str(&format!("# sysfence: {n}\n"));
    }
    text.push_str(&out);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CmpOp, Rule};

    #[test]
    fn an_allow_list_with_an_errno_default() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64, Arch::I386]);
        p.rules.push(Rule::new("read", Action::Allow));
        p.rules.push(Rule::new("write", Action::Allow));
        p.rules
            .push(Rule::new("socket", Action::Allow).with(0, CmpOp::Eq, 1));
        let text = export(&p).unwrap();
        assert_eq!(
            text,
            "# sysfence: socket is left out (the profile allows it only under argument conditions)\n\
             [Service]\nSystemCallArchitectures=x86-64 x86\nSystemCallFilter=read write\nSystemCallErrorNumber=EPERM\n"
        );
    }

    #[test]
    fn a_deny_list_with_per_syscall_errnos() {
        let mut p = Policy::new(Action::Allow, vec![Arch::X86_64]);
        p.rules.push(Rule::new("mount", Action::Errno(13)));
        p.rules.push(Rule::new("kexec_load", Action::KillProcess));
        let text = export(&p).unwrap();
        assert!(
            text.ends_with("SystemCallFilter=~kexec_load mount:EACCES\n"),
            "{text}"
        );
    }
}
