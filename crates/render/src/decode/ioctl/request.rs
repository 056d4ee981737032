//! ioctl's request argument as strace 6.1 prints it (its `SYS_FUNC(ioctl)`): the names the
//! knowledge base's `ioctl_cmd` table has for the code, joined with ` or `, preceded by
//! what strace reads out of the code's number fields for the requests whose length or
//! index is part of the code (`EVIOCGNAME(256)`, `MIXER_WRITE(2) or MEMERASE`); `_IOC(...)`
//! when neither applies. The table's own formatting covers everything but that prefix.

use crate::xlat::Style;

/// The request `cmd` of an ioctl call in `style`.
pub(super) fn request_text(cmd: u64, style: Style) -> String {
    let Some(set) = syscalls::xlat_set("ioctl_cmd") else {
        return crate::xlat::hex(cmd);
    };
    let code = cmd as u32;
    let decoded = match style {
        Style::Raw => None,
        _ => number_name(code, style == Style::Verbose),
    };
    let Some(decoded) = decoded else {
        return set.display(cmd, style).to_string();
    };
    let mut text = decoded;
    if set.name_of(u64::from(code)).is_some() {
        text.push_str(" or ");
        text.push_str(&set.display(u64::from(code), Style::Abbrev).to_string());
    }
    match style {
        Style::Verbose => format!("{} /* {text} */", crate::xlat::hex(u64::from(code))),
        _ => text,
    }
}

/// `_IOC_DIR`, `_IOC_TYPE`, `_IOC_NR` and `_IOC_SIZE` of a code (asm-generic/ioctl.h).
fn fields(code: u32) -> (u32, u8, u32, u32) {
    (
        code >> 30,
        (code >> 8) as u8,
        code & 0xff,
        (code >> 16) & 0x3fff,
    )
}

const WRITE: u32 = 1;
const READ: u32 = 2;

/// strace's ioctl_decode_command_number: the name it builds from the number fields of a
/// code whose length or index varies, if `code` is one.
fn number_name(code: u32, verbose: bool) -> Option<String> {
    let (dir, kind, nr, size) = fields(code);
    match kind {
        b'!' if code == (READ << 30 | 8 << 16 | u32::from(b'!') << 8 | 2) => {
            Some("SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR".to_string())
        }
        b'E' => evdev_name(dir, nr, size, verbose),
        b'H' => hiddev_name(dir, nr, size),
        b'M' if dir == WRITE => Some(format!("MIXER_WRITE({nr})")),
        b'M' if dir == READ => Some(format!("MIXER_READ({nr})")),
        b'U' if dir == READ && nr == 0x2c => Some(format!("UI_GET_SYSNAME({size})")),
        b'j' if dir == READ && nr == 0x13 => Some(format!("JSIOCGNAME({size})")),
        b'k' if dir == WRITE && nr == 0 => Some(format!("SPI_IOC_MESSAGE({size})")),
        _ => None,
    }
}

/// An input event type or axis by name; strace's printxval, whose unknown value carries
/// the set's `/* EV_??? */` comment except under -X verbose.
fn input_constant(set: &str, value: u32, verbose: bool) -> String {
    match syscalls::xlat_set(set) {
        Some(set) if verbose => set
            .name_of(u64::from(value))
            .map_or_else(|| crate::xlat::hex(u64::from(value)), str::to_string),
        Some(set) => set.display(u64::from(value), Style::Abbrev).to_string(),
        None => crate::xlat::hex(u64::from(value)),
    }
}

/// strace's evdev_decode_number: the input subsystem's requests indexed by event type or
/// axis, and those whose length is the buffer's.
fn evdev_name(dir: u32, nr: u32, size: u32, verbose: bool) -> Option<String> {
    if dir == WRITE && (0xc0..=0xc0 + 0x3f).contains(&nr) {
        let abs = input_constant("evdev_abs", nr - 0xc0, verbose);
        return Some(format!("EVIOCSABS({abs})"));
    }
    if dir != READ {
        return None;
    }
    if (0x20..=0x20 + 0x1f).contains(&nr) {
        let ev = match nr {
            0x20 => "0".to_string(),
            _ => input_constant("evdev_ev", nr - 0x20, verbose),
        };
        return Some(format!("EVIOCGBIT({ev}, {size})"));
    }
    if (0x40..=0x40 + 0x3f).contains(&nr) {
        let abs = input_constant("evdev_abs", nr - 0x40, verbose);
        return Some(format!("EVIOCGABS({abs})"));
    }
    let name = match nr {
        0x06 => "EVIOCGNAME",
        0x07 => "EVIOCGPHYS",
        0x08 => "EVIOCGUNIQ",
        0x09 => "EVIOCGPROP",
        0x0a => "EVIOCGMTSLOTS",
        0x18 => "EVIOCGKEY",
        0x19 => "EVIOCGLED",
        0x1a => "EVIOCGSND",
        0x1b => "EVIOCGSW",
        _ => return None,
    };
    Some(format!("{name}({size})"))
}

/// strace's hiddev_decode_number: the HID requests whose length is the buffer's.
fn hiddev_name(dir: u32, nr: u32, size: u32) -> Option<String> {
    let name = match (dir, nr) {
        (READ, 0x04) => "HIDIOCGRAWNAME",
        (READ, 0x05) => "HIDIOCGRAWPHYS",
        (READ, 0x06) => "HIDIOCSFEATURE",
        (READ, 0x08) => "HIDIOCGRAWUNIQ",
        (READ, 0x12) => "HIDIOCGPHYS",
        (3, 0x06) => "HIDIOCSFEATURE",
        (3, 0x07) => "HIDIOCGFEATURE",
        _ => return None,
    };
    Some(format!("{name}({size})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings: strace 6.1 on ioctl(fd, CODE, 0) with these codes.
    #[test]
    fn requests_with_a_length_or_index_in_their_number_print_it_as_strace_does() {
        let text = |c: u64| request_text(c, Style::Abbrev);
        assert_eq!(text(0x8100_4506), "EVIOCGNAME(256)");
        assert_eq!(text(0x8008_4521), "EVIOCGBIT(EV_KEY, 8)");
        assert_eq!(text(0x8008_4520), "EVIOCGBIT(0, 8)");
        assert_eq!(text(0x8018_4540), "EVIOCGABS(ABS_X)");
        assert_eq!(text(0x4018_45c1), "EVIOCSABS(ABS_Y)");
        assert_eq!(text(0x4008_4d02), "MIXER_WRITE(2) or MEMERASE");
        assert_eq!(text(0x8008_2102), "SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR");
        assert_eq!(text(0x5401), "TCGETS");
        assert_eq!(text(0x8004_fe01), "_IOC(_IOC_READ, 0xfe, 0x1, 0x4)");
        assert_eq!(
            request_text(0x4008_4d02, Style::Verbose),
            "0x40084d02 /* MIXER_WRITE(2) or MEMERASE */"
        );
        assert_eq!(request_text(0x4008_4d02, Style::Raw), "0x40084d02");
    }
}
