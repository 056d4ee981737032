//! The syscall knowledge base: for each supported ABI, every Linux 6.18 system call with
//! its number, name, argument signature and strace-style classes; plus errno and signal
//! names; and the constant and flag decoding tables (`xlat`) the printers share.
//! Everything else in sysfence asks this crate instead of hard-coding a number.
//!
//! The tables in `generated.rs` are produced by `scripts/gen-syscalls` from strace's
//! per-arch tables, the kernel's syscall tracepoint formats and `data/signatures.txt`;
//! see that script for the sources and their versions. The decoding tables in
//! `xlat_generated.rs` are produced by `scripts/gen-xlat` from `xlat/*.in` and the kernel
//! headers; the ioctl request names in `ioctls_generated.rs` by `scripts/gen-ioctls`, from
//! every request macro of the kernel headers.

mod arch;
mod class;
mod errno;
#[rustfmt::skip]
mod generated;
#[rustfmt::skip]
mod ioctls_generated;
pub mod multiplex;
mod signal;
mod suggest;
mod xlat;
#[rustfmt::skip]
mod xlat_generated;

pub use arch::{Arch, UnknownArch};
pub use class::{Class, ClassSet, UnknownClass};
pub use errno::{Errno, errno_by_code, errno_by_name, errnos};
pub use signal::{Signal, signal_by_name, signal_name, signals};
pub use suggest::closest_names;
pub use xlat::{
    NumberFormat, UnknownFormat, XlatDisplay, XlatEntry, XlatField, XlatKind, XlatOverride,
    XlatParent, XlatSet, XlatStyle, xlat_set, xlat_sets, xlat_subset,
};

use serde::Serialize;

/// The kind of one syscall argument: enough for a decoder to know how to read and print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArgKind {
    /// A signed integer printed in decimal.
    Int,
    /// An unsigned integer printed in decimal.
    Uint,
    /// A file descriptor.
    Fd,
    /// A directory file descriptor that may be `AT_FDCWD`.
    Dirfd,
    /// A NUL-terminated path name read from the tracee.
    Path,
    /// A NUL-terminated string that is not a path (xattr name, fs type, ...).
    Str,
    /// A NULL-terminated array of string pointers (argv, envp).
    StrArray,
    /// An input buffer whose byte length is the argument at index `len_arg`.
    Buf {
        /// Index of the argument holding the length.
        len_arg: u8,
    },
    /// An output buffer filled by the kernel; at most argument `len_arg` bytes, the
    /// return value usually says how many.
    OutBuf {
        /// Index of the argument holding the capacity.
        len_arg: u8,
    },
    /// Flags or a command drawn from the named constant set (e.g. `open_flags`).
    Flags {
        /// The flag set's name, a key of the decoder tables.
        set: &'static str,
    },
    /// A file mode (`umode_t`), printed in octal.
    Mode,
    /// A process or thread id.
    Pid,
    /// A signal number.
    Signal,
    /// A user pointer to a value of the named C type (`struct stat`, `sigset_t`, `int`).
    Ptr {
        /// The pointed-to type, as C spells it.
        to: &'static str,
    },
    /// A user-space address that is not dereferenced (mmap hints, brk, stacks).
    Addr,
    /// A byte count or length (`size_t`).
    Size,
    /// The low half of a 64-bit value split over two registers (i386 compat ABI).
    Lo32,
    /// The high half of a 64-bit value split over two registers (i386 compat ABI).
    Hi32,
    /// A raw value printed in hex: the arguments of a syscall the kernel does not
    /// implement, which strace prints undecoded.
    Hex,
}

/// One argument of a syscall: its kernel name and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arg {
    /// The parameter name used in the kernel's prototype.
    pub name: &'static str,
    /// How the value is interpreted.
    #[serde(flatten)]
    pub kind: ArgKind,
}

/// One system call of one ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syscall {
    /// The number as the kernel sees it in `seccomp_data.nr` (x32 numbers include bit 30).
    pub nr: u32,
    /// The canonical name (the kernel's `syscall_*.tbl` / strace name).
    pub name: &'static str,
    /// The arguments, in register order; its length is the arity.
    pub args: &'static [Arg],
    /// The strace classes this syscall belongs to.
    pub classes: ClassSet,
}

impl Syscall {
    /// The number of arguments the kernel reads.
    pub fn arity(&self) -> usize {
        self.args.len()
    }

    /// The C-like signature, e.g. `openat(dirfd dfd, path filename, flags:open_flags flags, mode mode)`.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self.args.iter().map(Arg::describe).collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

impl Arg {
    /// A short human description, `kind name`, used in signatures.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            ArgKind::Int => "int".to_string(),
            ArgKind::Uint => "uint".to_string(),
            ArgKind::Fd => "fd".to_string(),
            ArgKind::Dirfd => "dirfd".to_string(),
            ArgKind::Path => "path".to_string(),
            ArgKind::Str => "str".to_string(),
            ArgKind::StrArray => "str[]".to_string(),
            ArgKind::Buf { len_arg } => format!("buf[arg{len_arg}]"),
            ArgKind::OutBuf { len_arg } => format!("outbuf[arg{len_arg}]"),
            ArgKind::Flags { set } => format!("flags:{set}"),
            ArgKind::Mode => "mode".to_string(),
            ArgKind::Pid => "pid".to_string(),
            ArgKind::Signal => "signal".to_string(),
            ArgKind::Ptr { to } => format!("{to}*"),
            ArgKind::Addr => "addr".to_string(),
            ArgKind::Size => "size".to_string(),
            ArgKind::Lo32 => "lo32".to_string(),
            ArgKind::Hi32 => "hi32".to_string(),
            ArgKind::Hex => "hex".to_string(),
        };
        format!("{kind} {}", self.name)
    }
}

/// All syscalls of one ABI, sorted by number.
#[derive(Debug)]
pub struct SyscallTable {
    arch: Arch,
    entries: &'static [Syscall],
}

impl SyscallTable {
    /// The ABI this table describes.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// Every syscall of the ABI, in number order.
    pub fn entries(&self) -> &'static [Syscall] {
        self.entries
    }

    /// Finds a syscall by the number the kernel sees (x32 numbers with bit 30 set).
    pub fn lookup_nr(&self, nr: u32) -> Option<&'static Syscall> {
        let entries = self.entries;
        entries
            .binary_search_by_key(&nr, |s| s.nr)
            .ok()
            .map(|i| &entries[i])
    }

    /// Finds a syscall by its canonical name.
    pub fn lookup_name(&self, name: &str) -> Option<&'static Syscall> {
        self.entries.iter().find(|s| s.name == name)
    }

    /// Every syscall in the given class, in number order.
    pub fn in_class(&self, class: Class) -> impl Iterator<Item = &'static Syscall> {
        self.entries
            .iter()
            .filter(move |s| s.classes.contains(class))
    }

    /// Names of this ABI closest to a misspelt `name`, best first (for "did you mean").
    pub fn suggest(&self, name: &str) -> Vec<&'static str> {
        closest_names(name, self.entries.iter().map(|s| s.name))
    }
}

static TABLES: [SyscallTable; 4] = [
    SyscallTable {
        arch: Arch::X86_64,
        entries: generated::X86_64,
    },
    SyscallTable {
        arch: Arch::I386,
        entries: generated::I386,
    },
    SyscallTable {
        arch: Arch::X32,
        entries: generated::X32,
    },
    SyscallTable {
        arch: Arch::Aarch64,
        entries: generated::AARCH64,
    },
];

impl Arch {
    /// The syscall table of this ABI.
    pub fn table(self) -> &'static SyscallTable {
        let table = &TABLES[self as usize];
        debug_assert_eq!(table.arch, self);
        table
    }
}
