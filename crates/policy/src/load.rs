//! Reading a profile whose format is not named: moby JSON, an OCI `linux.seccomp` object,
//! a whole OCI `config.json`, or a Kubernetes `SeccompProfile` (YAML). Input that is none
//! of these (an empty file, a JSON list or number, bytes that are not UTF-8) gets an error
//! saying so, located by line and column or byte offset.

use crate::docker::{self, Imported, Resolve};
use crate::node::Node;
use crate::{PolicyError, UnknownKeys, k8s, oci};

/// The UTF-8 byte order mark some editors write first; skipped, as most JSON tools do.
const BOM: char = '\u{feff}';

/// Decodes `bytes` as UTF-8 and imports them as [`load`] does.
pub fn load_bytes(bytes: &[u8], file: &str, resolve: &Resolve) -> Result<Imported, PolicyError> {
    load_bytes_with(bytes, file, resolve, UnknownKeys::default())
}

/// Decodes `bytes` as UTF-8 and imports them as [`load_with`] does.
pub fn load_bytes_with(
    bytes: &[u8],
    file: &str,
    resolve: &Resolve,
    keys: UnknownKeys,
) -> Result<Imported, PolicyError> {
    load_with(utf8(bytes, file)?, file, resolve, keys)
}

/// Detects the format of `text` and imports it; `resolve` applies to moby profiles. A
/// misspelt key is an error.
pub fn load(text: &str, file: &str, resolve: &Resolve) -> Result<Imported, PolicyError> {
    load_with(text, file, resolve, UnknownKeys::default())
}

/// Detects the format of `text` and imports it, treating unknown keys as `keys` says.
pub fn load_with(
    text: &str,
    file: &str,
    resolve: &Resolve,
    keys: UnknownKeys,
) -> Result<Imported, PolicyError> {
    let whole = text;
    let text = text.strip_prefix(BOM).unwrap_or(text);
    if text.trim().is_empty() {
        let why = if whole.is_empty() {
            "the file is empty"
        } else {
            "the file holds nothing but whitespace (and perhaps a byte order mark)"
        };
        return Err(not_a_profile(file, text, why));
    }
    if !looks_like_json(text.as_bytes()) {
        return k8s::import_with(text, file, keys);
    }
    let value: Node = serde_json::from_str(text).map_err(|e| PolicyError::from_json(file, &e))?;
    if !matches!(value, Node::Object(_)) {
        let found = crate::read::describe(&value);
        return Err(not_a_profile(
            file,
            text,
            &format!("expected a JSON object with `defaultAction`, found {found}"),
        ));
    }
    if value.get("ociVersion").is_some() || value.get("linux").is_some() {
        return oci::from_value(value, file, keys);
    }
    docker::from_value(value, file, resolve, keys)
}

/// The error for a document that is no profile at all, placed where its content starts.
pub(crate) fn not_a_profile(file: &str, text: &str, why: &str) -> PolicyError {
    PolicyError::invalid(
        file,
        start_of(text),
        format!("not a seccomp profile: {why}"),
    )
}

/// `line L column C` where the document's content starts (after leading whitespace).
pub(crate) fn start_of(text: &str) -> String {
    line_column(text, text.len() - text.trim_start().len())
}

/// `line L column C` of byte `offset` (both counted from 1; the column in bytes).
pub(crate) fn line_column(text: &str, offset: usize) -> String {
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    format!("line {line} column {column}")
}

/// `bytes` as text, or an error at the first byte that is not UTF-8.
fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, PolicyError> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(PolicyError::invalid(
            file,
            "byte 0",
            "not UTF-8 text: the file starts with a UTF-16 byte order mark; save it as UTF-8",
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        PolicyError::invalid(
            file,
            format!("byte {at} ({})", line_column(before, at)),
            format!(
                "not UTF-8 text (byte 0x{:02x}): a profile is JSON or YAML in UTF-8",
                bytes[at]
            ),
        )
    })
}

/// Whether `bytes` look like a JSON document (an object or a list) rather than YAML.
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['))
}

/// Whether `bytes` are a profile (text) rather than a raw BPF program. A program is
/// 8-byte instructions whose opcode's high byte (the second byte) is always zero; text
/// never has that pattern, so text with a stray NUL or bad UTF-8 is still read as a
/// profile and gets an error that says where.
pub fn is_profile_text(bytes: &[u8]) -> bool {
    let bpf = bytes.len() >= 2
        && bytes
            .chunks(8)
            .all(|insn| insn.get(1).is_none_or(|b| *b == 0));
    !bpf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_column("ab\ncd", 0), "line 1 column 1");
        assert_eq!(line_column("ab\ncd", 4), "line 2 column 2");
    }

    #[test]
    fn bpf_is_told_from_text_by_the_opcode_high_byte() {
        assert!(!is_profile_text(&[
            0x20, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0xff, 0x7f
        ]));
        assert!(!is_profile_text(&[0x20, 0, 0, 0, 4]));
        assert!(is_profile_text(b"{\"defaultAction\": \0}"));
        assert!(is_profile_text(b"{\xff}"));
        assert!(is_profile_text(b""));
    }
}
