//! The few constant tables the knowledge base's decoding tables (`syscalls::xlat_set`)
//! do not have yet: struct statfs's f_type and f_flags, and audit architectures. Every
//! other constant prints through the knowledge base, shared with every other printer.

/// A named set of constants or flags.
#[derive(Debug)]
pub struct Xlat {
    /// The set's name (matches the knowledge base's `Flags { set }` where they overlap).
    pub name: &'static str,
    /// `(value, NAME)` pairs in print order; composite flags come before their parts.
    pub values: &'static [(u64, &'static str)],
}

/// How named constants print (`-X`): the knowledge base's styles.
pub use syscalls::XlatStyle as Style;

impl Xlat {
    /// The name of exactly `value`.
    pub fn name_of(&self, value: u64) -> Option<&'static str> {
        self.values.iter().find(|(v, _)| *v == value).map(|e| e.1)
    }

    /// `value` as one constant: its name, or `dflt` (hex or decimal text) when unknown.
    pub fn format_value(
        &self,
        value: u64,
        style: Style,
        unknown: impl Fn(u64) -> String,
    ) -> String {
        match (self.name_of(value), style) {
            (Some(n), Style::Abbrev) => n.to_string(),
            (Some(n), Style::Verbose) => format!("{} /* {n} */", unknown(value)),
            _ => unknown(value),
        }
    }

    /// `value` as flags joined with `|`; leftover bits print in hex; zero prints
    /// `zero_name` or `0`.
    pub fn format_flags(&self, value: u64, style: Style) -> String {
        if style == Style::Raw {
            return hex(value);
        }
        let mut left = value;
        let mut parts: Vec<String> = Vec::new();
        for &(bits, name) in self.values {
            if bits != 0 && left & bits == bits {
                parts.push(name.to_string());
                left &= !bits;
            }
        }
        if left != 0 || parts.is_empty() {
            if parts.is_empty() && value == 0 {
                if let Some(zero) = self.name_of(0) {
                    parts.push(zero.to_string());
                } else {
                    parts.push("0".to_string());
                }
            } else {
                parts.push(hex(left));
            }
        }
        let text = parts.join("|");
        if style == Style::Verbose {
            format!("{} /* {text} */", hex(value))
        } else {
            text
        }
    }
}

/// Flags as strace's printflags prints them when the call gives no default: the names of
/// the `(value, NAME)` pairs whose bits are all set (or the one equal to a zero value),
/// leftover bits in hex without a `/* ..._??? */` comment; a zero no name stands for, and
/// under -X raw any zero, prints as nothing.
pub fn flags_without_default(
    names: impl Iterator<Item = (u64, &'static str)> + Clone,
    value: u64,
    style: Style,
) -> String {
    if style == Style::Raw {
        return if value == 0 {
            String::new()
        } else {
            hex(value)
        };
    }
    let mut left = value;
    let mut parts: Vec<&str> = Vec::new();
    for (bits, name) in names {
        if (bits == 0 && value == 0 && parts.is_empty()) || (bits != 0 && left & bits == bits) {
            parts.push(name);
            left &= !bits;
        }
        if left == 0 && !parts.is_empty() {
            break;
        }
    }
    if parts.is_empty() {
        return if value == 0 {
            String::new()
        } else {
            hex(value)
        };
    }
    let mut text = parts.join("|");
    if left != 0 {
        text.push('|');
        text.push_str(&hex(left));
    }
    match style {
        Style::Verbose => format!("{} /* {text} */", hex(value)),
        _ => text,
    }
}

/// `0x`-prefixed lower-case hex, `0` for zero (as strace prints).
pub fn hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

macro_rules! xlat {
    ($id:ident, $name:literal, [$(($v:expr, $n:literal)),* $(,)?]) => {
        #[doc = concat!("The `", $name, "` constants.")]
        pub static $id: Xlat = Xlat { name: $name, values: &[$(($v as u64, $n)),*] };
    };
}

xlat!(
    STATFS_FLAGS,
    "statfs_flags",
    [
        (0x20, "ST_VALID"),
        (0x1, "ST_RDONLY"),
        (0x2, "ST_NOSUID"),
        (0x4, "ST_NODEV"),
        (0x8, "ST_NOEXEC"),
        (0x10, "ST_SYNCHRONOUS"),
        (0x40, "ST_MANDLOCK"),
        (0x80, "ST_WRITE"),
        (0x100, "ST_APPEND"),
        (0x200, "ST_IMMUTABLE"),
        (0x400, "ST_NOATIME"),
        (0x800, "ST_NODIRATIME"),
        (0x1000, "ST_RELATIME"),
        (0x2000, "ST_NOSYMFOLLOW"),
    ]
);
xlat!(
    FS_MAGICS,
    "fsmagic",
    [
        (0xef53, "EXT2_SUPER_MAGIC"),
        (0x0102_1994, "TMPFS_MAGIC"),
        (0x9fa0, "PROC_SUPER_MAGIC"),
        (0x6265_6572, "SYSFS_MAGIC"),
        (0x794c_7630, "OVERLAYFS_SUPER_MAGIC"),
        (0x9123_683e, "BTRFS_SUPER_MAGIC"),
        (0x5846_5342, "XFS_SUPER_MAGIC"),
        (0x6367_7270, "CGROUP2_SUPER_MAGIC"),
        (0x27e0eb, "CGROUP_SUPER_MAGIC"),
        (0x1cd1, "DEVPTS_SUPER_MAGIC"),
        (0x6969, "NFS_SUPER_MAGIC"),
        (0x6573_5546, "FUSE_SUPER_MAGIC"),
        (0x6462_6720, "DEBUGFS_MAGIC"),
        (0x7472_6163, "TRACEFS_MAGIC"),
        (0x4d44, "MSDOS_SUPER_MAGIC"),
        (0x5346_544e, "NTFS_SB_MAGIC"),
        (0x7363_6673, "SECURITYFS_MAGIC"),
        (0xcafe_4a11, "BPF_FS_MAGIC"),
        (0x0102_1997, "V9FS_MAGIC"),
        (0x9660, "ISOFS_SUPER_MAGIC"),
        (0x7371_7368, "SQUASHFS_MAGIC"),
        (0x1373, "DEVFS_SUPER_MAGIC"),
        (0x6e73_6673, "NSFS_MAGIC"),
        (0x5345_4c46, "SELINUX_MAGIC"),
        // strace src/xlat/fsmagic.in's names for the pseudo file systems a descriptor can be on,
        // and more disk ones.
        (0x50495045, "PIPEFS_MAGIC"),
        (0x534f434b, "SOCKFS_MAGIC"),
        (0x09041934, "ANON_INODE_FS_MAGIC"),
        (0x62646576, "BDEVFS_MAGIC"),
        (0x858458f6, "RAMFS_MAGIC"),
        (0x958458f6, "HUGETLBFS_MAGIC"),
        (0x62656570, "CONFIGFS_MAGIC"),
        (0xde5e81e4, "EFIVARFS_MAGIC"),
        (0xf2f52010, "F2FS_SUPER_MAGIC"),
        (0x00000187, "AUTOFS_SUPER_MAGIC"),
        (0x42494e4d, "BINFMTFS_MAGIC"),
        (0x6165676c, "PSTOREFS_MAGIC"),
        (0x444d4142, "DMA_BUF_MAGIC"),
        (0x5345434d, "SECRETMEM_MAGIC"),
        (0xff534d42, "CIFS_SUPER_MAGIC"),
        (0xfe534d42, "SMB2_SUPER_MAGIC"),
        (0xe0f5e1e2, "EROFS_SUPER_MAGIC_V1"),
        (0x5a4f4653, "ZONEFS_MAGIC"),
        (0x73727279, "BTRFS_TEST_MAGIC"),
        (0x2011bab0, "EXFAT_SUPER_MAGIC"),
        (0x00c36400, "CEPH_SUPER_MAGIC"),
        (0x00003434, "NILFS_SUPER_MAGIC"),
        (0x7461636f, "OCFS2_SUPER_MAGIC"),
        (0xabba1974, "XENFS_SUPER_MAGIC"),
        (0x00009fa2, "USBDEVICE_SUPER_MAGIC"),
    ]
);
xlat!(
    AUDIT_ARCHES,
    "audit_arch",
    [
        (0xc000003e, "AUDIT_ARCH_X86_64"),
        (0x40000003, "AUDIT_ARCH_I386"),
        (0xc00000b7, "AUDIT_ARCH_AARCH64")
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings: strace 6.1 on statx with these AT_STATX_SYNC_TYPE bits (a small C
    // program), which it prints with printflags and no default.
    #[test]
    fn flags_without_default_name_a_zero_and_print_raw_zero_as_nothing() {
        let sync = [
            (0, "AT_STATX_SYNC_AS_STAT"),
            (0x2000, "AT_STATX_FORCE_SYNC"),
            (0x4000, "AT_STATX_DONT_SYNC"),
        ];
        let text = |v, st| flags_without_default(sync.iter().copied(), v, st);
        assert_eq!(text(0, Style::Abbrev), "AT_STATX_SYNC_AS_STAT");
        assert_eq!(text(0, Style::Raw), "");
        assert_eq!(text(0, Style::Verbose), "0 /* AT_STATX_SYNC_AS_STAT */");
        assert_eq!(
            text(0x6000, Style::Abbrev),
            "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC"
        );
        assert_eq!(
            text(0x6000, Style::Verbose),
            "0x6000 /* AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC */"
        );
        assert_eq!(text(0x1_0000, Style::Abbrev), "0x10000");
        assert_eq!(text(0x1_0000, Style::Verbose), "0x10000");
    }

    #[test]
    fn flags_and_values_print_names_then_leftover_bits() {
        assert_eq!(
            STATFS_FLAGS.format_flags(0x1020, Style::Abbrev),
            "ST_VALID|ST_RELATIME"
        );
        assert_eq!(
            STATFS_FLAGS.format_flags(0x4_0020, Style::Abbrev),
            "ST_VALID|0x40000"
        );
        assert_eq!(STATFS_FLAGS.format_flags(0x20, Style::Raw), "0x20");
        assert_eq!(
            FS_MAGICS.format_value(0xef53, Style::Abbrev, hex),
            "EXT2_SUPER_MAGIC"
        );
        assert_eq!(FS_MAGICS.format_value(0x1234, Style::Abbrev, hex), "0x1234");
    }
}
