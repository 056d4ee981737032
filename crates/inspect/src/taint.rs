//! The kernel's taint flags (`/proc/sys/kernel/tainted`, a module's taint letters),
//! decoded as Documentation/admin-guide/tainted-kernels.rst lists them.

use serde::Serialize;

/// One taint flag: its bit in `/proc/sys/kernel/tainted`, its letter and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Taint {
    /// The bit number.
    pub bit: u32,
    /// The letter the kernel prints when the flag is set (`P`, `O`, `E`...).
    pub letter: char,
    /// What it means.
    pub meaning: &'static str,
}

/// Every flag the kernel defines, by bit (6.15+ has bit 19, `J`).
pub const TAINTS: [Taint; 20] = [
    t(0, 'P', "proprietary module was loaded"),
    t(1, 'F', "module was force loaded"),
    t(2, 'S', "kernel running on an out of specification system"),
    t(3, 'R', "module was force unloaded"),
    t(4, 'M', "processor reported a Machine Check Exception"),
    t(5, 'B', "bad page referenced or some unexpected page flags"),
    t(6, 'U', "taint requested by userspace application"),
    t(
        7,
        'D',
        "kernel died recently, i.e. there was an OOPS or BUG",
    ),
    t(8, 'A', "ACPI table overridden by user"),
    t(9, 'W', "kernel issued warning"),
    t(10, 'C', "staging driver was loaded"),
    t(11, 'I', "workaround for bug in platform firmware applied"),
    t(12, 'O', "externally-built (out-of-tree) module was loaded"),
    t(13, 'E', "unsigned module was loaded"),
    t(14, 'L', "soft lockup occurred"),
    t(15, 'K', "kernel has been live patched"),
    t(16, 'X', "auxiliary taint, defined for and used by distros"),
    t(
        17,
        'T',
        "kernel was built with the struct randomization plugin",
    ),
    t(18, 'N', "an in-kernel test has been run"),
    t(
        19,
        'J',
        "userspace used a mutating debug operation in fwctl",
    ),
];

const fn t(bit: u32, letter: char, meaning: &'static str) -> Taint {
    Taint {
        bit,
        letter,
        meaning,
    }
}

/// The flags set in a `/proc/sys/kernel/tainted` value, and any bits no flag names.
pub fn decode_mask(mask: u64) -> (Vec<Taint>, u64) {
    let set: Vec<Taint> = TAINTS
        .iter()
        .copied()
        .filter(|t| mask & (1 << t.bit) != 0)
        .collect();
    let known = TAINTS.iter().fold(0u64, |m, t| m | (1 << t.bit));
    (set, mask & !known)
}

/// The flags a module's taint letters name (`OE`); letters no flag has are skipped.
pub fn decode_letters(letters: &str) -> Vec<Taint> {
    letters
        .chars()
        .filter_map(|c| TAINTS.iter().copied().find(|t| t.letter == c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_and_letters_agree() {
        for (i, t) in TAINTS.iter().enumerate() {
            assert_eq!(t.bit as usize, i);
        }
        let (set, rest) = decode_mask((1 << 12) | (1 << 13) | (1 << 40));
        assert_eq!(set.iter().map(|t| t.letter).collect::<String>(), "OE");
        assert_eq!(rest, 1 << 40);
        assert_eq!(decode_letters("OE")[1].bit, 13);
    }
}
