//! ioctl on terminals (TCGETS, TCSETS and the others of the termios family): `struct
//! termios`, `struct termios2`, `struct termio` and `struct winsize`.

use crate::prim::set_text;
use crate::prim::{u16_at, u32_at};
use crate::xlat::{Style, hex};

/// The value of a constant of the `termios_masks` set (the layout of the termios words).
fn termios_mask(name: &str) -> u64 {
    syscalls::xlat_set("termios_masks")
        .and_then(|set| set.value_of(name))
        .unwrap_or(0)
}

/// Flags as strace's printflags64 with no default prints them: nothing at all for 0.
fn term_flags(set: &str, value: u64, st: Style) -> String {
    if value == 0 {
        String::new()
    } else {
        set_text(set, value, st)
    }
}

/// The four flag words of a termios as strace's term.c prints them: c_oflag's delay fields
/// and c_cflag's baud and size fields as values, each followed by `|`, then the flags left.
fn termios_flags(words: [u64; 4], st: Style) -> String {
    let [iflag, oflag, cflag, lflag] = words;
    let mut oflag_text = String::new();
    let mut rest = oflag;
    for (set, mask) in [
        ("term_oflags_nldly", "NLDLY"),
        ("term_oflags_crdly", "CRDLY"),
        ("term_oflags_tabdly", "TABDLY"),
        ("term_oflags_bsdly", "BSDLY"),
        ("term_oflags_vtdly", "VTDLY"),
        ("term_oflags_ffdly", "FFDLY"),
    ] {
        let mask = termios_mask(mask);
        oflag_text.push_str(&set_text(set, oflag & mask, st));
        oflag_text.push('|');
        rest &= !mask;
    }
    oflag_text.push_str(&term_flags("term_oflags", rest, st));

    let (cbaud, cibaud, csize) = (
        termios_mask("CBAUD"),
        termios_mask("CIBAUD"),
        termios_mask("CSIZE"),
    );
    let mut cflag_text = set_text("baud_options", cflag & cbaud, st);
    cflag_text.push('|');
    if cflag & cibaud != 0 {
        let shift = termios_mask("IBSHIFT");
        // strace's print_xlat(IBSHIFT): the name, the number, or both.
        let shift_text = match st {
            Style::Abbrev => "IBSHIFT".to_string(),
            Style::Raw => hex(shift),
            Style::Verbose => format!("{} /* IBSHIFT */", hex(shift)),
        };
        cflag_text.push_str(&format!(
            "{}<<{shift_text}|",
            set_text("baud_options", (cflag & cibaud) >> shift, st)
        ));
    }
    cflag_text.push_str(&set_text("term_cflags_csize", cflag & csize, st));
    cflag_text.push('|');
    cflag_text.push_str(&term_flags(
        "term_cflags",
        cflag & !(cbaud | cibaud | csize),
        st,
    ));

    format!(
        "c_iflag={}, c_oflag={oflag_text}, c_cflag={cflag_text}, c_lflag={}",
        term_flags("term_iflags", iflag, st),
        term_flags("term_lflags", lflag, st)
    )
}

/// The flag words of a `struct termios` (32-bit each).
fn termios_words(b: &[u8]) -> [u64; 4] {
    [u32_at(b, 0), u32_at(b, 4), u32_at(b, 8), u32_at(b, 12)]
}

/// c_line at offset `line` and the `ncc` bytes of c_cc after it (`-v`):
/// `c_line=N_TTY, c_cc=[[VINTR]=0x3, ..., [17]=0, [18]=0]`.
fn line_and_cc(b: &[u8], line: usize, ncc: u64, st: Style) -> String {
    let cc: Vec<String> = (0..ncc)
        .map(|i| {
            let index = syscalls::xlat_set("termios_cc")
                .and_then(|set| set.name_of(i))
                .map_or_else(|| i.to_string(), str::to_string);
            format!(
                "[{index}]={}",
                hex(b.get(line + 1 + i as usize).copied().unwrap_or(0).into())
            )
        })
        .collect();
    format!(
        "c_line={}, c_cc=[{}]",
        set_text(
            "term_line_discs",
            b.get(line).copied().unwrap_or(0).into(),
            st
        ),
        cc.join(", ")
    )
}

/// The kernel's `struct termios` (36 bytes): the flag words, then `...` or, with -v,
/// c_line and c_cc.
pub(super) fn termios(b: &[u8], verbose: bool, st: Style) -> String {
    if verbose {
        format!(
            "{{{}, {}}}",
            termios_flags(termios_words(b), st),
            line_and_cc(b, 16, 19, st)
        )
    } else {
        format!("{{{}, ...}}", termios_flags(termios_words(b), st))
    }
}

/// `struct termios2` (44 bytes): a termios with c_ispeed and c_ospeed, printed with -v.
pub(super) fn termios2(b: &[u8], verbose: bool, st: Style) -> String {
    if verbose {
        format!(
            "{{{}, {}, c_ispeed={}, c_ospeed={}}}",
            termios_flags(termios_words(b), st),
            line_and_cc(b, 16, 19, st),
            u32_at(b, 36),
            u32_at(b, 40)
        )
    } else {
        termios(b, false, st)
    }
}

/// The kernel's old `struct termio` (18 bytes): 16-bit flag words, c_line, c_cc[8].
pub(super) fn termio(b: &[u8], verbose: bool, st: Style) -> String {
    let words = [u16_at(b, 0), u16_at(b, 2), u16_at(b, 4), u16_at(b, 6)];
    if verbose {
        format!(
            "{{{}, {}}}",
            termios_flags(words, st),
            line_and_cc(b, 8, 8, st)
        )
    } else {
        format!("{{{}, ...}}", termios_flags(words, st))
    }
}

/// `struct winsize`.
pub(super) fn winsize(b: &[u8]) -> String {
    format!(
        "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}",
        u16_at(b, 0),
        u16_at(b, 2),
        u16_at(b, 4),
        u16_at(b, 6)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel struct termios with these flag words and c_line, c_cc all zero.
    fn termios_bytes(iflag: u32, oflag: u32, cflag: u32, lflag: u32) -> Vec<u8> {
        let mut b = Vec::new();
        for word in [iflag, oflag, cflag, lflag] {
            b.extend_from_slice(&word.to_le_bytes());
        }
        b.resize(36, 0);
        b
    }

    // Expected strings: strace 6.1 on TCSETS calls with these words (a small C program on
    // a pty), in its three -X styles.
    #[test]
    fn termios_words_print_fields_then_flags_with_strace_trailing_bar() {
        let zero = termios_bytes(0, 0, 0, 0);
        assert_eq!(
            termios(&zero, false, Style::Abbrev),
            "{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B0|CS5|, c_lflag=, ...}"
        );
        let odd = termios_bytes(
            0x4000_0000,
            0x300_0000,
            0xf | (0xd << 16) | 0x30 | 0x80,
            0x8000_0000,
        );
        assert_eq!(
            termios(&odd, false, Style::Abbrev),
            "{c_iflag=0x40000000, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|0x3000000, c_cflag=B38400|B9600<<IBSHIFT|CS8|CREAD, c_lflag=0x80000000, ...}"
        );
        assert_eq!(
            termios(&odd, false, Style::Raw),
            "{c_iflag=0x40000000, c_oflag=0|0|0|0|0|0|0x3000000, c_cflag=0xf|0xd<<0x10|0x30|0x80, c_lflag=0x80000000, ...}"
        );
        assert_eq!(
            termios(&odd, false, Style::Verbose),
            "{c_iflag=0x40000000, c_oflag=0 /* NL0 */|0 /* CR0 */|0 /* TAB0 */|0 /* BS0 */|0 /* VT0 */|0 /* FF0 */|0x3000000, c_cflag=0xf /* B38400 */|0xd /* B9600 */<<0x10 /* IBSHIFT */|0x30 /* CS8 */|0x80 /* CREAD */, c_lflag=0x80000000, ...}"
        );
        let mut line = zero.clone();
        line[16] = 99;
        assert!(
            termios(&line, true, Style::Abbrev)
                .contains(", c_line=0x63 /* N_??? */, c_cc=[[VINTR]=0, ")
        );
    }

    #[test]
    fn winsize_prints_its_four_fields() {
        let b = [24, 0, 80, 0, 0x80, 2, 0xe0, 1];
        assert_eq!(
            winsize(&b),
            "{ws_row=24, ws_col=80, ws_xpixel=640, ws_ypixel=480}"
        );
    }
}
