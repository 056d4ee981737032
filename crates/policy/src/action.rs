//! What a filter answers for a syscall, and how the kernel ranks the answers.

use std::fmt;
use std::str::FromStr;

/// A seccomp action: what the kernel does with a syscall a rule (or the default) matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Run the syscall.
    Allow,
    /// Fail the syscall with this errno, without running it.
    Errno(u16),
    /// Kill the whole process (`SECCOMP_RET_KILL_PROCESS`).
    KillProcess,
    /// Kill only the calling thread (`SECCOMP_RET_KILL_THREAD`, Docker's `SCMP_ACT_KILL`).
    KillThread,
    /// Send SIGSYS to the thread.
    Trap,
    /// Notify a ptrace tracer, passing this value; fails with ENOSYS when there is none.
    Trace(u16),
    /// Run the syscall and log it in the audit log.
    Log,
    /// Ask a user-space supervisor through a seccomp notification fd.
    Notify,
}

/// The error for an action name no format knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown action `{0}`: use one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG, SCMP_ACT_NOTIFY"
)]
pub struct UnknownAction(pub String);

impl Action {
    /// The 32-bit value a seccomp filter returns for this action (`SECCOMP_RET_*` | data).
    pub fn to_ret(self) -> u32 {
        match self {
            Action::KillProcess => 0x8000_0000,
            Action::KillThread => 0,
            Action::Trap => 0x0003_0000,
            Action::Errno(e) => 0x0005_0000 | u32::from(e),
            Action::Notify => 0x7fc0_0000,
            Action::Trace(m) => 0x7ff0_0000 | u32::from(m),
            Action::Log => 0x7ffc_0000,
            Action::Allow => 0x7fff_0000,
        }
    }

    /// Decodes a filter's return value; `None` for values the kernel does not define.
    pub fn from_ret(ret: u32) -> Option<Action> {
        let data = (ret & 0xffff) as u16;
        match ret & 0xffff_0000 {
            0x8000_0000 => Some(Action::KillProcess),
            0 => Some(Action::KillThread),
            0x0003_0000 => Some(Action::Trap),
            0x0005_0000 => Some(Action::Errno(data)),
            0x7fc0_0000 => Some(Action::Notify),
            0x7ff0_0000 => Some(Action::Trace(data)),
            0x7ffc_0000 => Some(Action::Log),
            0x7fff_0000 => Some(Action::Allow),
            _ => None,
        }
    }

    /// How restrictive the action is in the kernel's precedence (higher wins when several
    /// filters, or several of our rules, answer for one call).
    pub fn severity(self) -> u8 {
        match self {
            Action::KillProcess => 7,
            Action::KillThread => 6,
            Action::Trap => 5,
            Action::Errno(_) => 4,
            Action::Notify => 3,
            Action::Trace(_) => 2,
            Action::Log => 1,
            Action::Allow => 0,
        }
    }

    /// Whether the action kills (process or thread); the differential test treats both alike.
    pub fn is_kill(self) -> bool {
        matches!(self, Action::KillProcess | Action::KillThread)
    }

    /// The libseccomp/Docker name (`SCMP_ACT_ERRNO`); the data travels separately.
    pub fn docker_name(self) -> &'static str {
        match self {
            Action::Allow => "SCMP_ACT_ALLOW",
            Action::Errno(_) => "SCMP_ACT_ERRNO",
            Action::KillProcess => "SCMP_ACT_KILL_PROCESS",
            Action::KillThread => "SCMP_ACT_KILL_THREAD",
            Action::Trap => "SCMP_ACT_TRAP",
            Action::Trace(_) => "SCMP_ACT_TRACE",
            Action::Log => "SCMP_ACT_LOG",
            Action::Notify => "SCMP_ACT_NOTIFY",
        }
    }

    /// The errno or trace message the action carries, if any.
    pub fn data(self) -> Option<u16> {
        match self {
            Action::Errno(d) | Action::Trace(d) => Some(d),
            _ => None,
        }
    }

    /// Parses a Docker/OCI action name; `data` is `errnoRet` (EPERM when absent, as runc does).
    pub fn from_docker(name: &str, data: Option<u16>) -> Result<Action, UnknownAction> {
        let data = data.unwrap_or(1);
        Ok(match name {
            "SCMP_ACT_ALLOW" => Action::Allow,
            "SCMP_ACT_ERRNO" => Action::Errno(data),
            "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
            "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Action::KillThread,
            "SCMP_ACT_TRAP" => Action::Trap,
            "SCMP_ACT_TRACE" => Action::Trace(data),
            "SCMP_ACT_LOG" => Action::Log,
            "SCMP_ACT_NOTIFY" => Action::Notify,
            _ => return Err(UnknownAction(crate::docker::shown(name))),
        })
    }
}

impl fmt::Display for Action {
    /// Short human form: `allow`, `errno(EPERM)`, `kill_process`, `trace(5)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Allow => f.write_str("allow"),
            Action::Errno(e) => match syscalls::errno_by_code(i32::from(*e)) {
                Some(errno) => write!(f, "errno({})", errno.name),
                None => write!(f, "errno({e})"),
            },
            Action::KillProcess => f.write_str("kill_process"),
            Action::KillThread => f.write_str("kill_thread"),
            Action::Trap => f.write_str("trap"),
            Action::Trace(m) => write!(f, "trace({m})"),
            Action::Log => f.write_str("log"),
            Action::Notify => f.write_str("notify"),
        }
    }
}

impl FromStr for Action {
    type Err = UnknownAction;

    /// Parses the short form `Display` prints, or a Docker name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("SCMP_ACT_") {
            return Action::from_docker(s, None);
        }
        let (head, arg) = match s.split_once('(') {
            Some((h, rest)) => (h, rest.strip_suffix(')')),
            None => (s, None),
        };
        let number = |a: Option<&str>| -> Result<u16, UnknownAction> {
            let a = a.ok_or_else(|| UnknownAction(s.to_string()))?;
            a.parse::<u16>()
                .ok()
                .or_else(|| syscalls::errno_by_name(a).and_then(|e| u16::try_from(e.code).ok()))
                .ok_or_else(|| UnknownAction(s.to_string()))
        };
        Ok(match head.to_ascii_lowercase().as_str() {
            "allow" => Action::Allow,
            "errno" => Action::Errno(number(arg)?),
            "kill_process" | "kill" => Action::KillProcess,
            "kill_thread" => Action::KillThread,
            "trap" => Action::Trap,
            "trace" => Action::Trace(number(arg)?),
            "log" => Action::Log,
            "notify" => Action::Notify,
            _ => return Err(UnknownAction(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ret_values_are_the_kernels_and_round_trip() {
        assert_eq!(Action::Errno(1).to_ret(), 0x0005_0001);
        assert_eq!(Action::KillProcess.to_ret(), 0x8000_0000);
        for a in [
            Action::Allow,
            Action::Errno(38),
            Action::KillProcess,
            Action::KillThread,
            Action::Trap,
            Action::Trace(7),
            Action::Log,
            Action::Notify,
        ] {
            assert_eq!(Action::from_ret(a.to_ret()), Some(a));
        }
    }

    #[test]
    fn kill_is_the_thread_kill_as_in_libseccomp() {
        assert_eq!(
            Action::from_docker("SCMP_ACT_KILL", None),
            Ok(Action::KillThread)
        );
        assert!(Action::from_docker("SCMP_ACT_NOPE", None).is_err());
    }

    #[test]
    fn precedence_follows_the_kernel() {
        assert!(Action::KillProcess.severity() > Action::Errno(1).severity());
        assert!(Action::Errno(1).severity() > Action::Notify.severity());
        assert!(Action::Log.severity() > Action::Allow.severity());
    }
}
