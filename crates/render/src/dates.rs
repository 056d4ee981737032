//! Dates as strace prints them: the `/* 2023-11-14T22:13:20+0000 */` comments after
//! times in structures, in the local time zone (`TZ` honoured).

/// Seconds east of UTC of the local time zone at `secs` since the epoch (its daylight
/// saving time included), or 0 when the C library cannot tell.
pub fn utc_offset_at(secs: i64) -> i64 {
    let t = secs as libc::time_t;
    // SAFETY: tm is plain data; localtime_r reads `t` and writes only into `tm`, both
    // live locals.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
    }
}

/// Seconds east of UTC of the local time zone now, for `-t`/`-tt`, which print local
/// wall-clock time as strace does.
pub fn utc_offset_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    utc_offset_at(now)
}

/// strace's comment after a time of `secs` and a fraction `frac` of `digits` decimal
/// places (9 for nanoseconds, 6 for microseconds): ` /* 2023-11-14T22:13:20.5+0100 */`,
/// the fraction left out when zero; nothing for the epoch itself or a fraction out of
/// range, as strace.
pub fn date_comment(secs: i64, frac: i64, digits: u32) -> String {
    if (secs == 0 && frac == 0) || frac < 0 || frac >= 10i64.pow(digits) {
        return String::new();
    }
    format!(
        " /* {} */",
        date_text(secs, frac, digits, utc_offset_at(secs))
    )
}

/// The date of `secs` (plus `frac` in `digits` places) at `offset` seconds east of UTC,
/// in strace's `%FT%T[.frac]%z` form.
pub fn date_text(secs: i64, frac: i64, digits: u32, offset: i64) -> String {
    let local = secs + offset;
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let fraction = if frac == 0 {
        String::new()
    } else {
        format!(".{frac:0width$}", width = digits as usize)
    };
    let sign = if offset < 0 { '-' } else { '+' };
    let off = offset.abs() / 60;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{fraction}{sign}{:02}{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings: `date -d @SECS +%FT%T%z` with TZ set as the offset says.
    #[test]
    fn dates_print_as_strftime_does() {
        assert_eq!(date_text(1, 2, 9, 0), "1970-01-01T00:00:01.000000002+0000");
        assert_eq!(
            date_text(1_700_000_000, 0, 9, 0),
            "2023-11-14T22:13:20+0000"
        );
        assert_eq!(
            date_text(1_700_000_000, 5, 6, 3600),
            "2023-11-14T23:13:20.000005+0100"
        );
        assert_eq!(
            date_text(1_700_000_000, 0, 9, -5 * 3600),
            "2023-11-14T17:13:20-0500"
        );
        assert_eq!(
            date_text(1_700_000_000, 0, 9, 19_800),
            "2023-11-15T03:43:20+0530"
        );
    }

    #[test]
    fn the_epoch_and_bad_fractions_get_no_comment() {
        assert_eq!(date_comment(0, 0, 9), "");
        assert_eq!(date_comment(5, 1_000_000_000, 9), "");
        assert_eq!(date_comment(5, 1_000_000, 6), "");
        assert!(date_comment(0, 1, 9).starts_with(" /* 1970-01-01T"));
    }
}
