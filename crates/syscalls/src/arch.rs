//! The ABIs sysfence knows, and how seccomp and ptrace tell them apart.

use std::fmt;
use std::str::FromStr;

/// A system-call ABI. x86_64, i386 (the compat ABI reached by `int 0x80`) and x32 all run
/// on an x86_64 kernel; aarch64 is its own machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// 64-bit x86 (`AUDIT_ARCH_X86_64`).
    X86_64 = 0,
    /// 32-bit x86, native or as the compat ABI of an x86_64 kernel (`AUDIT_ARCH_I386`).
    I386 = 1,
    /// x32: x86_64 registers with 32-bit pointers; `AUDIT_ARCH_X86_64` with bit 30 set in nr.
    X32 = 2,
    /// 64-bit ARM (`AUDIT_ARCH_AARCH64`).
    Aarch64 = 3,
}

/// The error for an architecture name sysfence does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownArch(pub String);

impl fmt::Display for UnknownArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown architecture `{}`: use one of x86_64, i386, x32, aarch64",
            self.0
        )
    }
}

impl std::error::Error for UnknownArch {}

/// Bit 30 of the syscall number marks an x32 call (`__X32_SYSCALL_BIT`).
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// x32's first compat entry point (rt_sigaction; 512 to 547 in Linux 6.18's table).
const X32_FIRST_COMPAT_NR: u32 = 512;

impl Arch {
    /// Every ABI, in table order.
    pub const ALL: [Arch; 4] = [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64];

    /// The ABIs a program of this build can call in: on x86_64 its own, i386
    /// (`int 0x80`) and x32, each with its own numbers; elsewhere the native one.
    pub fn callable() -> Vec<Arch> {
        match Arch::native() {
            Arch::X86_64 => vec![Arch::X86_64, Arch::I386, Arch::X32],
            native => vec![native],
        }
    }

    /// The canonical name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I386 => "i386",
            Arch::X32 => "x32",
            Arch::Aarch64 => "aarch64",
        }
    }

    /// The `AUDIT_ARCH_*` value seccomp reports in `seccomp_data.arch` for this ABI.
    pub fn audit_arch(self) -> u32 {
        match self {
            Arch::X86_64 | Arch::X32 => 0xc000_003e,
            Arch::I386 => 0x4000_0003,
            Arch::Aarch64 => 0xc000_00b7,
        }
    }

    /// Bits every syscall number of this ABI carries (bit 30 on x32, none elsewhere).
    pub fn nr_base(self) -> u32 {
        match self {
            Arch::X32 => X32_SYSCALL_BIT,
            _ => 0,
        }
    }

    /// Whether syscall `nr` (as the kernel sees it) is a compat entry point: every i386
    /// call, and x32's 512 (rt_sigaction) and up, which the kernel shares with i386's
    /// compat code. Their arguments are 32-bit values (the kernel ignores the registers'
    /// upper halves) and their structures have 32-bit longs and pointers; x32's other
    /// calls are x86_64's own.
    pub fn is_compat_call(self, nr: u32) -> bool {
        match self {
            Arch::I386 => true,
            Arch::X32 => nr.wrapping_sub(X32_SYSCALL_BIT) >= X32_FIRST_COMPAT_NR,
            Arch::X86_64 | Arch::Aarch64 => false,
        }
    }

    /// Whether arguments are compared as 32-bit values (ILP32 ABIs), as libseccomp does.
    pub fn is_32bit(self) -> bool {
        matches!(self, Arch::I386 | Arch::X32)
    }

    /// The name libseccomp (`scmp_sys_resolver -a`) uses for this ABI.
    pub fn libseccomp_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I386 => "x86",
            Arch::X32 => "x32",
            Arch::Aarch64 => "aarch64",
        }
    }

    /// The ABI of the machine sysfence was built for.
    pub fn native() -> Arch {
        if cfg!(target_arch = "aarch64") {
            Arch::Aarch64
        } else if cfg!(target_arch = "x86") {
            Arch::I386
        } else {
            Arch::X86_64
        }
    }

    /// Which ABI a (`seccomp_data.arch`, nr) pair belongs to, as the kernel would dispatch it.
    pub fn from_audit(audit_arch: u32, nr: u32) -> Option<Arch> {
        match audit_arch {
            0xc000_003e if nr & X32_SYSCALL_BIT != 0 => Some(Arch::X32),
            0xc000_003e => Some(Arch::X86_64),
            0x4000_0003 => Some(Arch::I386),
            0xc000_00b7 => Some(Arch::Aarch64),
            _ => None,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Arch {
    type Err = UnknownArch;

    /// Accepts the canonical names and the aliases other tools use (amd64, x86, i686, arm64).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "x86_64" | "x86-64" | "amd64" | "scmp_arch_x86_64" => Ok(Arch::X86_64),
            "i386" | "i486" | "i586" | "i686" | "x86" | "ia32" | "scmp_arch_x86" => Ok(Arch::I386),
            "x32" | "scmp_arch_x32" => Ok(Arch::X32),
            "aarch64" | "arm64" | "scmp_arch_aarch64" => Ok(Arch::Aarch64),
            _ => Err(UnknownArch(s.to_string())),
        }
    }
}
