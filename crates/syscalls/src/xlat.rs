//! Constant and flag decoding tables ("xlat" tables, as strace calls them) and their
//! formatting in strace's three `-X` styles.
//!
//! Every set is data: `crates/syscalls/xlat/<set>.in` lists the names, `scripts/gen-xlat`
//! reads their values from the kernel's UAPI headers and writes `xlat_generated.rs`. The
//! text and JSON printers share these tables (DESIGN.md rule 2). Formatting writes into any
//! [`fmt::Write`] and never allocates, because the tracer calls it for every argument.

use std::fmt;

use crate::Arch;
use crate::xlat_generated::SETS;

/// Whether a set's value is a combination of bits or one value out of many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XlatKind {
    /// Bit flags joined with `|` (`O_RDONLY|O_CLOEXEC`); may hold value fields.
    Flags,
    /// Exactly one of the entries (`SEEK_SET`, `F_GETFD`, `AF_INET`).
    Value,
}

/// How a constant prints, as strace's `-X` option chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XlatStyle {
    /// Names only, numbers for what has no name: `O_RDONLY|O_CLOEXEC` (strace's default).
    #[default]
    Abbrev,
    /// Numbers only: `0x80000`.
    Raw,
    /// Numbers with the names in a comment: `0x80000 /* O_RDONLY|O_CLOEXEC */`.
    Verbose,
}

/// How a raw number of a set or field prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `%#x`: `0x1f`, and `0` for zero.
    Hex,
    /// Signed decimal in the set's width: `-100` for `AT_FDCWD`.
    Decimal,
    /// `%#03o`: `0100644`, `000` for zero (file modes).
    Octal,
}

/// How a value set prints a value none of its entries names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownFormat {
    /// The number, then the set's default comment (`0x4d /* SEEK_??? */`).
    Number,
    /// The ioctl encoding: `_IOC(_IOC_READ, 0x99, 0x10, 0x4)`; a known command prints
    /// every name it has, joined with ` or ` (`BTRFS_IOC_CLONE or FICLONE`).
    IoctlEncoding,
    /// A file mode (flag sets): the bits no flag names are permissions printed in octal,
    /// `S_IFREG|S_ISUID|0755`; a mode whose type has no name prints as a number.
    FileMode,
}

/// One named constant of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlatEntry {
    /// The name strace prints (`O_CLOEXEC`; sometimes a combination such as
    /// `FUTEX_WAIT_PRIVATE|FUTEX_CLOCK_REALTIME`).
    pub name: &'static str,
    /// The x86_64 value, sign-extended to 64 bits (see [`XlatSet::overrides`] for others).
    pub value: u64,
    /// 0 for a plain flag or value; `n` for a value of the set's field `n - 1`.
    pub field: u8,
}

/// A bit field inside a flag set that holds one value rather than flags (`O_ACCMODE` in
/// open flags, `MAP_TYPE` in mmap flags, the exit signal in clone flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlatField {
    /// The bits of the field.
    pub mask: u64,
    /// Printed as its own number joined with `|` (`0x1|0x80000` in raw style) rather than
    /// as part of the flags' number.
    pub separate: bool,
    /// How the field's raw number prints (clone's signal prints in decimal).
    pub number: NumberFormat,
    /// Only taken when its value has a name; otherwise the bits stay flags (MS_MGC_VAL).
    pub exact: bool,
    /// Printed after the flags rather than before.
    pub last: bool,
    /// The comment after an unknown value of the field (`MAP_???`).
    pub default: Option<&'static str>,
}

/// Where an architecture's value differs from x86_64's (a few `O_*` flags on aarch64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlatOverride {
    /// The architecture whose value differs.
    pub arch: Arch,
    /// The entry's name.
    pub name: &'static str,
    /// The value on that architecture; `None` where it does not have the constant.
    pub value: Option<u64>,
}

/// For a set whose meaning depends on another argument: which value of which set selects
/// it (the option names of `SOL_SOCKET`, the `si_code`s of `SIGCHLD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlatParent {
    /// The selecting set's name (`socket_level`, `signal`, `address_family`).
    pub set: &'static str,
    /// The selecting value in that set.
    pub value: u64,
}

/// One decoding table: a named set of constants and how its values print.
#[derive(Debug)]
pub struct XlatSet {
    /// The set's name, as `ArgKind::Flags { set }` refers to it (`open_flags`).
    pub name: &'static str,
    /// Flags or one value.
    pub kind: XlatKind,
    /// The argument's width in bits (32 or 64): values are compared and printed modulo it.
    pub bits: u8,
    /// How raw numbers of the set print.
    pub number: NumberFormat,
    /// The comment strace prints after a value it cannot name (`SEEK_???`).
    pub default: Option<&'static str>,
    /// How a value without a name prints.
    pub unknown: UnknownFormat,
    /// The constants, in the order strace tries them (combinations before their parts).
    pub entries: &'static [XlatEntry],
    /// The entries are sorted by value (the thousands of ioctl requests): lookups
    /// binary-search rather than scan.
    pub sorted: bool,
    /// The value fields of a flag set.
    pub fields: &'static [XlatField],
    /// Values that differ on other architectures.
    pub overrides: &'static [XlatOverride],
    /// The argument values that select this set, for dependent sets (empty otherwise).
    pub parents: &'static [XlatParent],
    /// What the set decodes, from its `.in` file.
    pub doc: &'static str,
}

/// Finds a decoding table by name (`open_flags`, `lseek_whence`).
pub fn xlat_set(name: &str) -> Option<&'static XlatSet> {
    SETS.binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &SETS[i])
}

/// Every decoding table, sorted by name.
pub fn xlat_sets() -> &'static [XlatSet] {
    SETS
}

/// The table selected by `value` of set `parent`: `xlat_subset("socket_level", 6)` gives
/// the TCP option names, `xlat_subset("signal", 17)` the `si_code`s of SIGCHLD.
pub fn xlat_subset(parent: &str, value: u64) -> Option<&'static XlatSet> {
    let width = xlat_set(parent).map_or(u64::MAX, XlatSet::width_mask);
    SETS.iter().find(|s| {
        s.parents
            .iter()
            .any(|p| p.set == parent && (p.value & width) == (value & width))
    })
}

/// One piece of a flag set's main number, as the decoder walks it.
#[derive(Clone, Copy)]
enum Piece {
    /// A named flag or field value.
    Name(&'static str),
    /// A field value without a name, with the field's default comment.
    UnknownField(u64, Option<&'static str>),
    /// Bits left over after every named flag.
    Rest(u64),
}

/// A separate field's part of a value: its bits and, if known, its name.
#[derive(Clone, Copy)]
struct SeparatePart {
    field: &'static XlatField,
    bits: u64,
    name: Option<&'static str>,
}

/// Fields per set the decoder supports (the tables use at most one).
const MAX_FIELDS: usize = 4;

impl XlatSet {
    /// The mask of the set's width: `0xffff_ffff` for a 32-bit argument.
    pub fn width_mask(&self) -> u64 {
        if self.bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.bits) - 1
        }
    }

    /// The value of `entry` on `arch` (x86_64's unless an override says otherwise), or
    /// `None` if `arch` does not have the constant.
    pub fn value_on(&self, entry: &XlatEntry, arch: Arch) -> Option<u64> {
        if arch != Arch::X86_64 {
            for o in self.overrides {
                if o.arch == arch && o.name == entry.name {
                    return o.value;
                }
            }
        }
        Some(entry.value)
    }

    /// The name of exactly `value` on x86_64, if one entry has it.
    pub fn name_of(&self, value: u64) -> Option<&'static str> {
        self.name_of_on(Arch::X86_64, value)
    }

    /// The name of exactly `value` on `arch`, if one entry has it.
    pub fn name_of_on(&self, arch: Arch, value: u64) -> Option<&'static str> {
        let mask = self.width_mask();
        let value = value & mask;
        self.candidates(arch, value)
            .iter()
            .find(|e| self.value_on(e, arch).is_some_and(|v| v & mask == value))
            .map(|e| e.name)
    }

    /// The entries that may have `value` (already masked): in a sorted set without
    /// overrides for `arch`, just the run of entries equal to it; otherwise all of them.
    fn candidates(&self, arch: Arch, value: u64) -> &'static [XlatEntry] {
        if !self.sorted || (arch != Arch::X86_64 && self.overrides.iter().any(|o| o.arch == arch)) {
            return self.entries;
        }
        let mask = self.width_mask();
        let start = self.entries.partition_point(|e| e.value & mask < value);
        let len = self.entries[start..].partition_point(|e| e.value & mask == value);
        &self.entries[start..start + len]
    }

    /// The x86_64 value of the constant called `name`.
    pub fn value_of(&self, name: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
    }

    /// Formats `value` (an x86_64 argument) in `style` into `out`.
    pub fn format<W: fmt::Write + ?Sized>(
        &self,
        value: u64,
        style: XlatStyle,
        out: &mut W,
    ) -> fmt::Result {
        self.format_on(Arch::X86_64, value, style, out)
    }

    /// Formats `value` as `arch` defines the constants, in `style`, into `out`.
    pub fn format_on<W: fmt::Write + ?Sized>(
        &self,
        arch: Arch,
        value: u64,
        style: XlatStyle,
        out: &mut W,
    ) -> fmt::Result {
        let value = value & self.width_mask();
        match self.kind {
            XlatKind::Value => self.format_value(arch, value, style, out),
            XlatKind::Flags if self.unknown == UnknownFormat::FileMode => {
                self.format_file_mode(arch, value, style, out)
            }
            XlatKind::Flags => self.format_flags(arch, value, style, out),
        }
    }

    /// A [`fmt::Display`] of `value` in `style` (x86_64), for `format!`/`write!` callers.
    pub fn display(&self, value: u64, style: XlatStyle) -> XlatDisplay<'_> {
        XlatDisplay {
            set: self,
            arch: Arch::X86_64,
            value,
            style,
        }
    }

    /// A [`fmt::Display`] of `value` as `arch` defines the constants.
    pub fn display_on(&self, arch: Arch, value: u64, style: XlatStyle) -> XlatDisplay<'_> {
        XlatDisplay {
            set: self,
            arch,
            value,
            style,
        }
    }

    /// Calls `each` with every name `value` decodes to, in print order, and returns the
    /// bits no entry names (for the JSON printer: a list of names plus the unknown rest).
    pub fn decompose_on(&self, arch: Arch, value: u64, mut each: impl FnMut(&'static str)) -> u64 {
        let value = value & self.width_mask();
        if self.kind == XlatKind::Value {
            return match self.name_of_on(arch, value) {
                Some(name) => {
                    each(name);
                    0
                }
                None => value,
            };
        }
        let (parts, _, main) = self.split_separate(arch, value);
        let mut unknown = 0;
        let mut separate = |part: &SeparatePart, each: &mut dyn FnMut(&'static str)| match part.name
        {
            Some(name) => each(name),
            None => unknown |= part.bits,
        };
        for part in parts.iter().flatten().filter(|p| !p.field.last) {
            separate(part, &mut each);
        }
        let mut main_unknown = 0;
        let _ = self.walk_main(arch, main, &mut |piece| {
            match piece {
                Piece::Name(name) => each(name),
                Piece::UnknownField(bits, _) | Piece::Rest(bits) => main_unknown |= bits,
            }
            Ok(())
        });
        for part in parts.iter().flatten().filter(|p| p.field.last) {
            separate(part, &mut each);
        }
        unknown | main_unknown
    }

    fn format_value<W: fmt::Write + ?Sized>(
        &self,
        arch: Arch,
        value: u64,
        style: XlatStyle,
        out: &mut W,
    ) -> fmt::Result {
        let name = self.name_of_on(arch, value);
        match (style, name) {
            (XlatStyle::Abbrev, Some(_)) => self.write_names(arch, value, out),
            (XlatStyle::Raw, _) => self.write_number(self.number, value, out),
            (XlatStyle::Verbose, Some(_)) => {
                self.write_number(self.number, value, out)?;
                out.write_str(" /* ")?;
                self.write_names(arch, value, out)?;
                out.write_str(" */")
            }
            (XlatStyle::Abbrev, None) if self.unknown == UnknownFormat::IoctlEncoding => {
                write_ioctl_encoding(value, out)
            }
            (XlatStyle::Verbose, None) if self.unknown == UnknownFormat::IoctlEncoding => {
                self.write_number(self.number, value, out)?;
                out.write_str(" /* ")?;
                write_ioctl_encoding(value, out)?;
                out.write_str(" */")
            }
            (XlatStyle::Abbrev | XlatStyle::Verbose, None) => {
                self.write_number(self.number, value, out)?;
                self.write_default(self.number, self.default, out)
            }
        }
    }

    /// The name of `value`; for ioctl commands every name it has, joined with ` or ` as
    /// strace prints them (`SNDCTL_TMR_START or TCSETS`).
    fn write_names<W: fmt::Write + ?Sized>(
        &self,
        arch: Arch,
        value: u64,
        out: &mut W,
    ) -> fmt::Result {
        let mask = self.width_mask();
        let mut first = true;
        for e in self.candidates(arch, value & mask) {
            if self.value_on(e, arch).is_some_and(|v| v & mask == value) {
                if !std::mem::take(&mut first) {
                    out.write_str(" or ")?;
                }
                out.write_str(e.name)?;
                if self.unknown != UnknownFormat::IoctlEncoding {
                    break;
                }
            }
        }
        Ok(())
    }

    fn format_flags<W: fmt::Write + ?Sized>(
        &self,
        arch: Arch,
        value: u64,
        style: XlatStyle,
        out: &mut W,
    ) -> fmt::Result {
        let (parts, count, main) = self.split_separate(arch, value);
        let mut main_pieces = 0usize;
        let mut main_named = false;
        self.walk_main(arch, main, &mut |piece| {
            main_pieces += 1;
            main_named |= matches!(piece, Piece::Name(_));
            Ok(())
        })?;
        // The main number prints unless it is empty and a separate part stands for the value.
        let print_main = main_pieces > 0 || main != 0 || count == 0;
        let mut first = true;
        let mut sep = |out: &mut W| -> fmt::Result {
            if !std::mem::take(&mut first) {
                out.write_char('|')?;
            }
            Ok(())
        };
        for part in parts.iter().flatten().filter(|p| !p.field.last) {
            sep(out)?;
            self.write_separate(part, style, out)?;
        }
        if print_main {
            sep(out)?;
            match style {
                XlatStyle::Abbrev => self.write_main_abbrev(arch, main, main_pieces, out)?,
                XlatStyle::Raw => self.write_number(NumberFormat::Hex, main, out)?,
                XlatStyle::Verbose => {
                    self.write_number(NumberFormat::Hex, main, out)?;
                    if main_named {
                        out.write_str(" /* ")?;
                        self.write_main_abbrev(arch, main, main_pieces, out)?;
                        out.write_str(" */")?;
                    } else if main != 0 {
                        self.write_default(NumberFormat::Hex, self.default, out)?;
                    }
                }
            }
        }
        for part in parts.iter().flatten().filter(|p| p.field.last) {
            sep(out)?;
            self.write_separate(part, style, out)?;
        }
        Ok(())
    }

    /// strace's print_symbolic_mode_t: `S_IFREG|0644`, raw `0100644`, verbose
    /// `0100644 /* S_IFREG|0644 */`; the type is the set's first field.
    fn format_file_mode<W: fmt::Write + ?Sized>(
        &self,
        arch: Arch,
        value: u64,
        style: XlatStyle,
        out: &mut W,
    ) -> fmt::Result {
        let type_mask = self.fields.first().map_or(0, |f| f.mask);
        let file_type = value & type_mask;
        let type_name = match file_type {
            0 => Some(""),
            _ => self.field_entry(arch, 0, file_type),
        };
        let Some(type_name) = type_name.filter(|_| style != XlatStyle::Raw) else {
            return self.write_number(NumberFormat::Octal, value, out);
        };
        if style == XlatStyle::Verbose {
            self.write_number(NumberFormat::Octal, value, out)?;
            out.write_str(" /* ")?;
        }
        out.write_str(type_name)?;
        if !type_name.is_empty() {
            out.write_char('|')?;
        }
        let mut rest = value & !type_mask;
        for e in self.entries.iter().filter(|e| e.field == 0) {
            if let Some(v) = self.value_on(e, arch).filter(|&v| v != 0 && rest & v == v) {
                rest &= !v;
                write!(out, "{}|", e.name)?;
            }
        }
        self.write_number(NumberFormat::Octal, rest, out)?;
        if style == XlatStyle::Verbose {
            out.write_str(" */")?;
        }
        Ok(())
    }

    /// Takes the separate fields' bits out of `value`: the parts, how many, and the rest.
    fn split_separate(
        &self,
        arch: Arch,
        value: u64,
    ) -> ([Option<SeparatePart>; MAX_FIELDS], usize, u64) {
        let mut parts = [None; MAX_FIELDS];
        let mut count = 0;
        let mut rest = value;
        for (i, field) in self.fields.iter().enumerate().take(MAX_FIELDS) {
            if !field.separate {
                continue;
            }
            let bits = rest & field.mask;
            let name = self.field_entry(arch, i, bits);
            if (field.exact && name.is_none()) || (bits == 0 && name.is_none()) {
                continue;
            }
            rest &= !field.mask;
            parts[count] = Some(SeparatePart { field, bits, name });
            count += 1;
        }
        (parts, count, rest)
    }

    /// The name of value `bits` of field `index`.
    fn field_entry(&self, arch: Arch, index: usize, bits: u64) -> Option<&'static str> {
        let field = u8::try_from(index + 1).ok()?;
        self.entries
            .iter()
            .find(|e| e.field == field && self.value_on(e, arch) == Some(bits))
            .map(|e| e.name)
    }

    /// Walks the flags and merged fields of `main`, in print order.
    fn walk_main(
        &self,
        arch: Arch,
        main: u64,
        visit: &mut dyn FnMut(Piece) -> fmt::Result,
    ) -> fmt::Result {
        let mut rest = main;
        let mut pieces = 0;
        for (i, field) in self.fields.iter().enumerate() {
            if field.separate {
                continue;
            }
            let bits = rest & field.mask;
            rest &= !field.mask;
            match self.field_entry(arch, i, bits) {
                Some(name) => visit(Piece::Name(name))?,
                None if bits != 0 => visit(Piece::UnknownField(bits, field.default))?,
                None => continue,
            }
            pieces += 1;
        }
        for e in self.entries.iter().filter(|e| e.field == 0) {
            let Some(v) = self.value_on(e, arch) else {
                continue;
            };
            let v = v & self.width_mask();
            if v != 0 && rest & v == v {
                rest &= !v;
                visit(Piece::Name(e.name))?;
                pieces += 1;
            }
        }
        if rest != 0 {
            return visit(Piece::Rest(rest));
        }
        if pieces != 0 || main != 0 {
            return Ok(());
        }
        // Zero prints the set's name for zero (PROT_NONE), if it has one.
        match self
            .entries
            .iter()
            .find(|e| e.field == 0 && self.value_on(e, arch) == Some(0))
        {
            Some(zero) => visit(Piece::Name(zero.name)),
            None => Ok(()),
        }
    }

    fn write_main_abbrev<W: fmt::Write + ?Sized>(
        &self,
        arch: Arch,
        main: u64,
        pieces: usize,
        out: &mut W,
    ) -> fmt::Result {
        if pieces == 0 {
            return out.write_char('0');
        }
        let mut first = true;
        self.walk_main(arch, main, &mut |piece| {
            if !std::mem::take(&mut first) {
                out.write_char('|')?;
            }
            match piece {
                Piece::Name(name) => out.write_str(name),
                Piece::UnknownField(bits, default) => {
                    self.write_number(NumberFormat::Hex, bits, out)?;
                    self.write_default(NumberFormat::Hex, default, out)
                }
                Piece::Rest(bits) => {
                    self.write_number(NumberFormat::Hex, bits, out)?;
                    if pieces == 1 {
                        self.write_default(NumberFormat::Hex, self.default, out)?;
                    }
                    Ok(())
                }
            }
        })
    }

    fn write_separate<W: fmt::Write + ?Sized>(
        &self,
        part: &SeparatePart,
        style: XlatStyle,
        out: &mut W,
    ) -> fmt::Result {
        let number = part.field.number;
        match (style, part.name) {
            (XlatStyle::Abbrev, Some(name)) => out.write_str(name),
            (XlatStyle::Raw, _) => self.write_number(number, part.bits, out),
            (XlatStyle::Verbose, Some(name)) => {
                self.write_number(number, part.bits, out)?;
                write!(out, " /* {name} */")
            }
            (XlatStyle::Abbrev | XlatStyle::Verbose, None) => {
                self.write_number(number, part.bits, out)?;
                self.write_default(number, part.field.default, out)
            }
        }
    }

    /// ` /* SET_??? */` after an unknown hex number, when the set or field has a default.
    fn write_default<W: fmt::Write + ?Sized>(
        &self,
        number: NumberFormat,
        default: Option<&'static str>,
        out: &mut W,
    ) -> fmt::Result {
        match (number, default) {
            (NumberFormat::Hex, Some(default)) => write!(out, " /* {default} */"),
            _ => Ok(()),
        }
    }

    fn write_number<W: fmt::Write + ?Sized>(
        &self,
        number: NumberFormat,
        value: u64,
        out: &mut W,
    ) -> fmt::Result {
        match number {
            NumberFormat::Hex if value == 0 => out.write_char('0'),
            NumberFormat::Hex => write!(out, "{value:#x}"),
            NumberFormat::Octal => write!(out, "0{value:02o}"),
            NumberFormat::Decimal if self.bits >= 64 => write!(out, "{}", value as i64),
            NumberFormat::Decimal => {
                // Sign-extend from the set's width: AT_FDCWD is the int -100.
                let shift = 64 - u32::from(self.bits);
                write!(out, "{}", ((value << shift) as i64) >> shift)
            }
        }
    }
}

/// Writes an ioctl command as the kernel's `_IOC()` macro builds it (asm-generic/ioctl.h,
/// shared by x86 and arm64): direction in bits 30-31, size in 16-29, type in 8-15, nr in 0-7.
fn write_ioctl_encoding<W: fmt::Write + ?Sized>(cmd: u64, out: &mut W) -> fmt::Result {
    let dir = match (cmd >> 30) & 3 {
        0 => "_IOC_NONE",
        1 => "_IOC_WRITE",
        2 => "_IOC_READ",
        _ => "_IOC_READ|_IOC_WRITE",
    };
    write!(
        out,
        "_IOC({dir}, {}, {}, {})",
        HexOrZero((cmd >> 8) & 0xff),
        HexOrZero(cmd & 0xff),
        HexOrZero((cmd >> 16) & 0x3fff)
    )
}

/// `%#x`: `0x1f`, and `0` for zero.
struct HexOrZero(u64);

impl fmt::Display for HexOrZero {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            f.write_str("0")
        } else {
            write!(f, "{:#x}", self.0)
        }
    }
}

/// A value of a set in one style, printable with `{}`; see [`XlatSet::display`].
#[derive(Debug, Clone, Copy)]
pub struct XlatDisplay<'a> {
    set: &'a XlatSet,
    arch: Arch,
    value: u64,
    style: XlatStyle,
}

impl fmt::Display for XlatDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.set.format_on(self.arch, self.value, self.style, f)
    }
}
