//! strace's `-e` qualifier sets: which syscalls are traced (`trace=`), which outcomes
//! print (`status=`) and which signals print (`signal=`).

use regex::Regex;
use std::collections::HashSet;
use syscalls::{Arch, Class};

/// A bad `-e` expression, with what to type instead.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// An unknown syscall name.
    #[error("-e trace: unknown syscall `{name}`{hint}")]
    UnknownSyscall {
        /// The name given.
        name: String,
        /// A "did you mean" hint, possibly empty.
        hint: String,
    },
    /// An unknown %class.
    #[error("-e trace: {0}")]
    UnknownClass(#[from] syscalls::UnknownClass),
    /// A regex that does not compile.
    #[error("-e trace: invalid regular expression `{0}`: {1}")]
    BadRegex(String, regex::Error),
    /// An unknown status name.
    #[error(
        "-e status: unknown status `{0}` (use successful, failed, unfinished, unavailable, detached, all, none)"
    )]
    UnknownStatus(String),
    /// An unknown signal.
    #[error("-e signal: unknown signal `{0}` (use names like SIGCHLD or CHLD, numbers, all, none)")]
    UnknownSignal(String),
}

/// The syscalls selected by `-e trace=`, per ABI.
#[derive(Debug, Clone)]
pub struct SyscallSet {
    selected: HashSet<(Arch, u32)>,
}

fn split_negation(spec: &str) -> (bool, &str) {
    match spec.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, spec),
    }
}

impl SyscallSet {
    /// Parses a `-e trace=` value: comma-separated names, `%class`, `/regex`, `all`,
    /// `none`, `?name` (ignore if unknown); a leading `!` negates the whole set.
    pub fn parse(spec: &str) -> Result<SyscallSet, SelectError> {
        let (negate, body) = split_negation(spec);
        let mut selected = HashSet::new();
        for item in body.split(',').filter(|s| !s.is_empty()) {
            let (optional, item) = match item.strip_prefix('?') {
                Some(rest) => (true, rest),
                None => (false, item),
            };
            let before = selected.len();
            let mut matched_any = false;
            for arch in Arch::ALL {
                let table = arch.table();
                let hits: Vec<u32> = if item == "all" {
                    table.entries().iter().map(|s| s.nr).collect()
                } else if item == "none" {
                    Vec::new()
                } else if let Some(class) = item.strip_prefix('%') {
                    let class: Class = format!("%{class}").parse()?;
                    table.in_class(class).map(|s| s.nr).collect()
                } else if let Some(re) = item.strip_prefix('/') {
                    let re =
                        Regex::new(re).map_err(|e| SelectError::BadRegex(re.to_string(), e))?;
                    table
                        .entries()
                        .iter()
                        .filter(|s| re.is_match(s.name))
                        .map(|s| s.nr)
                        .collect()
                } else {
                    table.lookup_name(item).map(|s| s.nr).into_iter().collect()
                };
                matched_any |= !hits.is_empty() || item == "none";
                selected.extend(hits.into_iter().map(|nr| (arch, nr)));
            }
            let plain_name = !item.starts_with(['%', '/']) && item != "all" && item != "none";
            if plain_name && !matched_any && selected.len() == before && !optional {
                let suggestions = Arch::native().table().suggest(item);
                let hint = if suggestions.is_empty() {
                    " (see `sysfence syscalls` for the names)".to_string()
                } else {
                    format!("; did you mean `{}`?", suggestions.join("`, `"))
                };
                return Err(SelectError::UnknownSyscall {
                    name: item.to_string(),
                    hint,
                });
            }
        }
        if negate {
            let all: HashSet<(Arch, u32)> = Arch::ALL
                .into_iter()
                .flat_map(|a| a.table().entries().iter().map(move |s| (a, s.nr)))
                .collect();
            selected = all.difference(&selected).copied().collect();
        }
        Ok(SyscallSet { selected })
    }

    /// Whether syscall `nr` of `arch` is selected.
    pub fn contains(&self, arch: Arch, nr: u32) -> bool {
        self.selected.contains(&(arch, nr))
    }

    /// The selected numbers of one ABI, sorted (for seccomp filters).
    pub fn numbers(&self, arch: Arch) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .selected
            .iter()
            .filter(|(a, _)| *a == arch)
            .map(|(_, nr)| *nr)
            .collect();
        v.sort_unstable();
        v
    }
}

/// A syscall outcome for `-e status=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Returned without error.
    Successful,
    /// Returned an error.
    Failed,
    /// Never returned (exit_group, killed).
    Unfinished,
    /// The return could not be fetched.
    Unavailable,
    /// The tracer detached inside the call.
    Detached,
}

/// The outcomes `-e status=` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusSet(u8);

impl StatusSet {
    /// Every outcome (the default).
    pub fn all() -> StatusSet {
        StatusSet(0x1f)
    }

    /// Whether every outcome prints (so lines print at entry, as strace does).
    pub fn is_all(&self) -> bool {
        self.0 == 0x1f
    }

    /// Whether `s` is selected.
    pub fn contains(&self, s: Status) -> bool {
        self.0 & (1 << s as u8) != 0
    }

    /// Parses `successful,failed`, `!failed`, `all`, `none`.
    pub fn parse(spec: &str) -> Result<StatusSet, SelectError> {
        let (negate, body) = split_negation(spec);
        let mut bits = 0u8;
        for item in body.split(',').filter(|s| !s.is_empty()) {
            bits |= match item {
                "successful" => 1 << Status::Successful as u8,
                "failed" => 1 << Status::Failed as u8,
                "unfinished" => 1 << Status::Unfinished as u8,
                "unavailable" => 1 << Status::Unavailable as u8,
                "detached" => 1 << Status::Detached as u8,
                "all" => 0x1f,
                "none" => 0,
                other => return Err(SelectError::UnknownStatus(other.to_string())),
            };
        }
        Ok(StatusSet(if negate { !bits & 0x1f } else { bits }))
    }
}

/// The signals `-e signal=` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalSet(u128);

impl SignalSet {
    /// Every signal (the default).
    pub fn all() -> SignalSet {
        SignalSet(u128::MAX)
    }

    /// Whether signal `n` is selected.
    pub fn contains(&self, n: i32) -> bool {
        (0..128).contains(&n) && self.0 & (1u128 << n) != 0
    }

    /// Parses `SIGCHLD,TERM,9`, `!SIGCHLD`, `all`, `none`.
    pub fn parse(spec: &str) -> Result<SignalSet, SelectError> {
        let (negate, body) = split_negation(spec);
        let mut bits = 0u128;
        for item in body.split(',').filter(|s| !s.is_empty()) {
            match item {
                "all" => bits = u128::MAX,
                "none" => {}
                _ => {
                    let n = match item.parse::<i32>() {
                        Ok(n) if (1..=64).contains(&n) => n,
                        _ => syscalls::signal_by_name(item)
                            .map(|s| s.number)
                            .ok_or_else(|| SelectError::UnknownSignal(item.to_string()))?,
                    };
                    bits |= 1u128 << n;
                }
            }
        }
        Ok(SignalSet(if negate { !bits } else { bits }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_signal_sets_parse_and_negate() {
        let s = StatusSet::parse("failed").unwrap();
        assert!(s.contains(Status::Failed) && !s.contains(Status::Successful));
        let s = StatusSet::parse("!failed").unwrap();
        assert!(!s.contains(Status::Failed) && s.contains(Status::Successful));
        assert!(StatusSet::parse("bogus").is_err());
        let sig = SignalSet::parse("9").unwrap();
        assert!(sig.contains(9) && !sig.contains(17));
        assert!(!SignalSet::parse("!9").unwrap().contains(9));
    }
}
