//! ioctl on files and filesystems: FICLONERANGE's `struct file_clone_range`,
//! FIDEDUPERANGE's `struct file_dedupe_range`, FS_IOC_FIEMAP's `struct fiemap`,
//! FS_IOC_FSGETXATTR's and FS_IOC_FSSETXATTR's `struct fsxattr`.

use super::IOCTL_ARRAY_KEY;
use crate::decode::basic::in_struct;
use crate::decode::decoder::{CallView, Decoder};
use crate::prim::{bracket_list, set_text};
use crate::prim::{u16_at, u32_at, u64_at};
use crate::specs;
use crate::xlat::{Style, hex};
use events::Mem;

impl Decoder {
    /// FIDEDUPERANGE's `struct file_dedupe_range`: the request, then on success
    /// ` => {info=[...]}` with each destination's result. Without -v at most two
    /// destinations print, as strace abbreviates them.
    pub(super) fn dedupe_range(&self, raw: u64, v: &CallView<'_>, i: usize) -> String {
        let shown = |b: &[u8], mem: Option<&Mem>| -> (Vec<u8>, bool) {
            let count = usize::from(u16::from_le_bytes([b[16], b[17]]));
            let infos = match mem {
                Some(Mem::Bytes { bytes, .. }) => bytes.as_slice(),
                _ => &[],
            };
            let limit = self.dedupe_shown();
            let n = (infos.len() / specs::DEDUPE_INFO).min(limit);
            let mut all = b[..specs::DEDUPE_HEADER].to_vec();
            all.extend_from_slice(&infos[..n * specs::DEDUPE_INFO]);
            (all, n < count)
        };
        let text = in_struct(raw, v.entry_mem(i as u32), |b| {
            let (all, more) = shown(b, v.entry_mem(IOCTL_ARRAY_KEY));
            dedupe_range_in(&all, more, &|k, fd| self.ioctl_fd(v, k, fd))
        });
        match v.written(i as u32) {
            Some(bytes) if raw != 0 => {
                let (all, more) = shown(bytes, v.exit_mem(IOCTL_ARRAY_KEY));
                format!("{text} => {}", dedupe_range_out(&all, more))
            }
            _ => text,
        }
    }

    /// How many of FIDEDUPERANGE's destinations print: two, all under -v (up to -s's
    /// bound on arrays), as strace abbreviates them.
    pub(super) fn dedupe_shown(&self) -> usize {
        if self.opts.verbose { usize::MAX } else { 2 }
    }
}

/// How a descriptor inside a structure prints: given its place among the structure's
/// descriptors and its number (a path follows under -y).
pub(super) type FdText<'a> = &'a dyn Fn(usize, i64) -> String;

/// `struct file_clone_range` (FICLONERANGE): `{src_fd=3, src_offset=0, src_length=4096,
/// dest_offset=0}`.
pub(super) fn file_clone_range(b: &[u8], fd: FdText<'_>) -> String {
    format!(
        "{{src_fd={}, src_offset={}, src_length={}, dest_offset={}}}",
        fd(0, u64_at(b, 0) as i64),
        u64_at(b, 8),
        u64_at(b, 16),
        u64_at(b, 24)
    )
}

/// `struct file_dedupe_range` as it goes in (FIDEDUPERANGE): the header and the
/// destinations captured after it, `...` when `more` follow.
pub(super) fn dedupe_range_in(b: &[u8], more: bool, fd: FdText<'_>) -> String {
    let info = dedupe_infos(b, more, |k, i| {
        format!(
            "{{dest_fd={}, dest_offset={}}}",
            fd(k, u64_at(i, 0) as i64),
            u64_at(i, 8)
        )
    });
    format!(
        "{{src_offset={}, src_length={}, dest_count={}, info={info}}}",
        u64_at(b, 0),
        u64_at(b, 8),
        u16_at(b, 16)
    )
}

/// The results FIDEDUPERANGE wrote: `{info=[{bytes_deduped=4096, status=0}]}`.
pub(super) fn dedupe_range_out(b: &[u8], more: bool) -> String {
    let info = dedupe_infos(b, more, |_, i| {
        format!(
            "{{bytes_deduped={}, status={}}}",
            u64_at(i, 16),
            u32_at(i, 24) as i32
        )
    });
    format!("{{info={info}}}")
}

fn dedupe_infos(b: &[u8], more: bool, each: impl Fn(usize, &[u8]) -> String) -> String {
    let header = crate::specs::DEDUPE_HEADER;
    let items: Vec<String> = b
        .get(header..)
        .unwrap_or_default()
        .chunks_exact(crate::specs::DEDUPE_INFO)
        .enumerate()
        .map(|(k, info)| each(k, info))
        .collect();
    bracket_list(items, more)
}

/// `struct fiemap`'s header as FS_IOC_FIEMAP reads it.
pub(super) fn fiemap_in(b: &[u8], st: Style) -> String {
    format!(
        "{{fm_start={}, fm_length={}, fm_flags={}, fm_extent_count={}}}",
        u64_at(b, 0),
        u64_at(b, 8),
        set_text("fiemap_flags", u32_at(b, 16), st),
        u32_at(b, 24)
    )
}

/// `struct fiemap`'s header as the kernel wrote it, then its extents when given (-v),
/// else `...`.
pub(super) fn fiemap_out(b: &[u8], extents: Option<&[u8]>, st: Style) -> String {
    let rest = match extents {
        Some(e) => {
            let items: Vec<String> = e
                .chunks_exact(crate::specs::FIEMAP_EXTENT)
                .map(|fe| {
                    format!(
                        "{{fe_logical={}, fe_physical={}, fe_length={}, fe_flags={}}}",
                        u64_at(fe, 0),
                        u64_at(fe, 8),
                        u64_at(fe, 16),
                        set_text("fiemap_extent_flags", u32_at(fe, 40), st)
                    )
                })
                .collect();
            format!("fm_extents=[{}]", items.join(", "))
        }
        None => "...".to_string(),
    };
    format!(
        "{{fm_flags={}, fm_mapped_extents={}, {rest}}}",
        set_text("fiemap_flags", u32_at(b, 16), st),
        u32_at(b, 20)
    )
}

/// `struct fsxattr`; the kernel's answer (`get`) has fsx_nextents too.
pub(super) fn fsxattr(b: &[u8], get: bool, st: Style) -> String {
    let nextents = if get {
        format!(", fsx_nextents={}", u32_at(b, 8))
    } else {
        String::new()
    };
    format!(
        "{{fsx_xflags={}, fsx_extsize={}{nextents}, fsx_projid={}, fsx_cowextsize={}}}",
        set_text("fs_xflags", u32_at(b, 0), st),
        u32_at(b, 4),
        hex(u32_at(b, 12)),
        u32_at(b, 16)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings: strace 6.1 on FS_IOC_FSGETXATTR on an ext4 file and -v
    // FS_IOC_FIEMAP on an 8 KiB file (a small C program).
    #[test]
    fn fs_ioctl_answers_print_as_strace() {
        assert_eq!(
            fsxattr(&[0u8; 28], true, Style::Abbrev),
            "{fsx_xflags=0, fsx_extsize=0, fsx_nextents=0, fsx_projid=0, fsx_cowextsize=0}"
        );
        let mut header = vec![0u8; 32];
        header[16] = 1;
        header[20] = 1;
        let mut extent = vec![0u8; 56];
        extent[8..16].copy_from_slice(&177_241_640_960u64.to_le_bytes());
        extent[16..24].copy_from_slice(&8192u64.to_le_bytes());
        extent[40] = 1;
        assert_eq!(
            fiemap_out(&header, Some(&extent), Style::Abbrev),
            "{fm_flags=FIEMAP_FLAG_SYNC, fm_mapped_extents=1, fm_extents=[{fe_logical=0, fe_physical=177241640960, fe_length=8192, fe_flags=FIEMAP_EXTENT_LAST}]}"
        );
        assert_eq!(
            fiemap_out(&header, None, Style::Abbrev),
            "{fm_flags=FIEMAP_FLAG_SYNC, fm_mapped_extents=1, ...}"
        );
    }
}
