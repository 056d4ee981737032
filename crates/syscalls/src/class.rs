//! strace's syscall classes (`-e trace=%file` and friends).

use std::fmt;
use std::str::FromStr;

/// One strace class of syscalls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `%file`: takes a file name.
    File = 0,
    /// `%desc`: takes or returns a file descriptor.
    Desc,
    /// `%network` (also `%net`): network related.
    Network,
    /// `%process`: process lifecycle (fork, exec, exit, wait).
    Process,
    /// `%signal`: signal related.
    Signal,
    /// `%ipc`: SysV IPC.
    Ipc,
    /// `%memory`: memory mapping.
    Memory,
    /// `%creds`: reads or changes user/group ids or capabilities.
    Creds,
    /// `%clock`: reads or changes system clocks.
    Clock,
    /// `%stat`: stat variants taking a path.
    Stat,
    /// `%lstat`: lstat variants.
    Lstat,
    /// `%fstat`: fstat variants (and fstatat).
    Fstat,
    /// `%%stat`: every stat-like syscall.
    StatLike,
    /// `%statfs`: statfs variants taking a path.
    Statfs,
    /// `%fstatfs`: fstatfs variants.
    Fstatfs,
    /// `%%statfs`: every statfs-like syscall.
    StatfsLike,
    /// `%pure`: always succeed and take no arguments (getpid, gettid, ...).
    Pure,
}

impl Class {
    /// Every class, in display order.
    pub const ALL: [Class; 17] = [
        Class::File,
        Class::Desc,
        Class::Network,
        Class::Process,
        Class::Signal,
        Class::Ipc,
        Class::Memory,
        Class::Creds,
        Class::Clock,
        Class::Stat,
        Class::Lstat,
        Class::Fstat,
        Class::StatLike,
        Class::Statfs,
        Class::Fstatfs,
        Class::StatfsLike,
        Class::Pure,
    ];

    /// The name as strace spells it, with its `%` prefix.
    pub fn name(self) -> &'static str {
        match self {
            Class::File => "%file",
            Class::Desc => "%desc",
            Class::Network => "%network",
            Class::Process => "%process",
            Class::Signal => "%signal",
            Class::Ipc => "%ipc",
            Class::Memory => "%memory",
            Class::Creds => "%creds",
            Class::Clock => "%clock",
            Class::Stat => "%stat",
            Class::Lstat => "%lstat",
            Class::Fstat => "%fstat",
            Class::StatLike => "%%stat",
            Class::Statfs => "%statfs",
            Class::Fstatfs => "%fstatfs",
            Class::StatfsLike => "%%statfs",
            Class::Pure => "%pure",
        }
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a `%class` strace does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownClass(pub String);

impl fmt::Display for UnknownClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        write!(
            f,
            "unknown syscall class `{}`: use one of {}",
            self.0,
            names.join(" ")
        )
    }
}

impl std::error::Error for UnknownClass {}

impl FromStr for Class {
    type Err = UnknownClass;

    /// Parses `%file`, `file` (strace's old spelling) and `%net` for `%network`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_prefix('%').unwrap_or(s);
        let wanted = match bare {
            "net" => "%network",
            _ => s,
        };
        Class::ALL
            .into_iter()
            .find(|c| c.name() == wanted || c.name().strip_prefix('%') == Some(bare))
            .ok_or_else(|| UnknownClass(s.to_string()))
    }
}

/// A set of classes, stored as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ClassSet(u32);

impl ClassSet {
    /// The empty set.
    pub const EMPTY: ClassSet = ClassSet(0);

    /// Builds a set from classes (used by the generated tables).
    pub const fn from_bits(bits: u32) -> ClassSet {
        ClassSet(bits)
    }

    /// Whether `class` is in the set.
    pub fn contains(self, class: Class) -> bool {
        self.0 & class.bit() != 0
    }

    /// The classes in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = Class> {
        Class::ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// The raw bits (bit n is `Class` discriminant n).
    pub fn bits(self) -> u32 {
        self.0
    }
}
