//! quotactl: its command and its id and address as the command uses them (`struct
//! if_dqblk`, `struct if_dqinfo`, a format, a quota file's path).

use super::basic::{ArgPlan, in_struct, mem_u32};
use super::decoder::{CallView, Decoder};
use crate::prim::{ptr, set_text, styled};
use crate::prim::{u32_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Mem, MemReader};

impl Decoder {
    /// Argument `i` in a quotactl format: the command, or the id and address after it.
    pub(super) fn quota_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        Some(match fmt {
            Fmt::QuotaCmd => quota_cmd(raw as u32, st),
            Fmt::QuotaRest(cmd_arg) => {
                let cmd = (v.arg(cmd_arg as usize) as u32) >> 8;
                return self.quota_rest(cmd, v, i, st);
            }
            _ => unreachable!("{fmt:?} is not a format of the quota family"),
        })
    }

    /// What a quotactl argument needs read: the address as the command uses it, at entry
    /// or at exit.
    pub(super) fn plan_quota(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
    ) -> Option<Mem> {
        let ArgPlan {
            entry,
            i,
            at_exit,
            ok,
            ..
        } = p;
        Some(match fmt {
            Fmt::QuotaRest(cmd_arg) => {
                let data = entry.args[i + 1];
                let what = quota_data((entry.args[cmd_arg as usize] as u32) >> 8);
                match what {
                    _ if data == 0 || what.at_exit() != at_exit => return None,
                    _ if at_exit && ok.is_none() => return None,
                    QuotaData::Path => mem.read_str(data, 4096),
                    _ if what.size() > 0 => mem.read_bytes(data, what.size()),
                    _ => return None,
                }
            }
            _ => return None,
        })
    }

    /// quotactl's id and address (arguments `i` and `i + 1`) as command `cmd` uses them.
    fn quota_rest(&self, cmd: u32, v: &CallView<'_>, i: usize, st: Style) -> Option<String> {
        let (id, data) = (v.arg(i) as u32, v.arg(i + 1));
        let uid = if id == u32::MAX {
            "-1".to_string()
        } else {
            id.to_string()
        };
        let verbose = self.opts.verbose;
        let dqblk = |mem: Option<&Mem>| in_struct(data, mem, |b| if_dqblk(b, verbose, st));
        Some(match quota_data(cmd) {
            QuotaData::Nothing => return None,
            QuotaData::Path => format!(
                "{}, {}",
                set_text("quota_formats", u64::from(id), st),
                self.path(data, v.entry_mem(i as u32))
            ),
            QuotaData::DqblkIn => format!("{uid}, {}", dqblk(v.entry_mem(i as u32))),
            QuotaData::DqblkOut => match v.ok_ret() {
                Some(_) => format!("{uid}, {}", dqblk(v.exit_mem(i as u32))),
                None => format!("{uid}, {}", ptr(data)),
            },
            QuotaData::FormatOut => match (v.ok_ret(), v.exit_mem(i as u32).and_then(mem_u32)) {
                (Some(_), Some(f)) => format!("[{}]", set_text("quota_formats", u64::from(f), st)),
                _ => ptr(data),
            },
            QuotaData::InfoIn => in_struct(data, v.entry_mem(i as u32), |b| if_dqinfo(b, st)),
            QuotaData::InfoOut => match v.ok_ret() {
                Some(_) => in_struct(data, v.exit_mem(i as u32), |b| if_dqinfo(b, st)),
                None => ptr(data),
            },
            QuotaData::Raw => format!("{uid}, {}", ptr(data)),
        })
    }
}

/// The size of `struct if_dqblk`: eight u64s and the u32 dqb_valid, padded.
const DQBLK_SIZE: usize = 72;

/// What a quotactl command's address argument points to, and when it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QuotaData {
    /// No id or address printed (Q_SYNC, Q_QUOTAOFF, Q_XQUOTASYNC).
    Nothing,
    /// A quota format id and the quota file's path (Q_QUOTAON).
    Path,
    /// A uid and a `struct if_dqblk` the kernel reads (Q_SETQUOTA).
    DqblkIn,
    /// A uid and a `struct if_dqblk` the kernel writes (Q_GETQUOTA).
    DqblkOut,
    /// The format the kernel writes (Q_GETFMT), without the id.
    FormatOut,
    /// A `struct if_dqinfo` the kernel reads (Q_SETINFO), without the id.
    InfoIn,
    /// A `struct if_dqinfo` the kernel writes (Q_GETINFO), without the id.
    InfoOut,
    /// The id and the address, undecoded.
    Raw,
}

impl QuotaData {
    /// Whether the address is printed at exit (what the kernel wrote).
    pub(super) fn at_exit(self) -> bool {
        matches!(
            self,
            QuotaData::DqblkOut | QuotaData::FormatOut | QuotaData::InfoOut
        )
    }

    /// The bytes the address points to.
    fn size(self) -> usize {
        match self {
            QuotaData::DqblkIn | QuotaData::DqblkOut => DQBLK_SIZE,
            QuotaData::InfoIn | QuotaData::InfoOut => 24,
            QuotaData::FormatOut => 4,
            QuotaData::Nothing | QuotaData::Path | QuotaData::Raw => 0,
        }
    }
}

/// How strace decodes the rest of quotactl command `cmd` (its QCMD_CMD part).
pub(super) fn quota_data(cmd: u32) -> QuotaData {
    let name = syscalls::xlat_set("quota_cmds").and_then(|s| s.name_of(u64::from(cmd)));
    match name {
        Some("Q_SYNC" | "Q_QUOTAOFF" | "Q_XQUOTASYNC") => QuotaData::Nothing,
        Some("Q_QUOTAON") => QuotaData::Path,
        Some("Q_SETQUOTA") => QuotaData::DqblkIn,
        Some("Q_GETQUOTA") => QuotaData::DqblkOut,
        Some("Q_GETFMT") => QuotaData::FormatOut,
        Some("Q_SETINFO") => QuotaData::InfoIn,
        Some("Q_GETINFO") => QuotaData::InfoOut,
        _ => QuotaData::Raw,
    }
}

/// A quotactl command as strace prints it: `QCMD(Q_GETQUOTA, USRQUOTA)`; the number
/// under -X raw, both under -X verbose.
fn quota_cmd(qcmd: u32, st: Style) -> String {
    let name = |set: &str, v: u32, dflt: &str| {
        syscalls::xlat_set(set)
            .and_then(|s| s.name_of(u64::from(v)))
            .map_or_else(
                || format!("{} /* {dflt} */", hex(u64::from(v))),
                str::to_string,
            )
    };
    let text = format!(
        "QCMD({}, {})",
        name("quota_cmds", qcmd >> 8, "Q_???"),
        name("quota_types", qcmd & 0xff, "???QUOTA")
    );
    styled(text, &qcmd.to_string(), st)
}

/// `struct if_dqblk`: the limits and usage, then the times and valid flags under -v
/// (`...` without).
fn if_dqblk(b: &[u8], verbose: bool, st: Style) -> String {
    let names = [
        "dqb_bhardlimit",
        "dqb_bsoftlimit",
        "dqb_curspace",
        "dqb_ihardlimit",
        "dqb_isoftlimit",
        "dqb_curinodes",
    ];
    let mut fields: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(k, n)| format!("{n}={}", u64_at(b, 8 * k)))
        .collect();
    if verbose {
        fields.push(format!("dqb_btime={}", u64_at(b, 48)));
        fields.push(format!("dqb_itime={}", u64_at(b, 56)));
        fields.push(format!(
            "dqb_valid={}",
            set_text("if_dqblk_valid", u32_at(b, 64), st)
        ));
    } else {
        fields.push("...".into());
    }
    format!("{{{}}}", fields.join(", "))
}

/// `struct if_dqinfo`: `{dqi_bgrace=604800, dqi_igrace=604800, dqi_flags=0, dqi_valid=IIF_BGRACE}`.
fn if_dqinfo(b: &[u8], st: Style) -> String {
    format!(
        "{{dqi_bgrace={}, dqi_igrace={}, dqi_flags={}, dqi_valid={}}}",
        u64_at(b, 0),
        u64_at(b, 8),
        set_text("if_dqinfo_flags", u32_at(b, 16), st),
        set_text("if_dqinfo_valid", u32_at(b, 20), st)
    )
}
