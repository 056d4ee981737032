//! Keys a profile format does not define. Docker and runc ignore them, so a misspelt key
//! (`sycalls`) silently drops what it holds: an unknown key is a warning, and one a small
//! edit away from a known key is an error unless the caller lets it pass.

use crate::{PolicyError, Warning};

/// How to treat keys the format does not define.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnknownKeys {
    /// Warn about unknown keys; refuse the profile when one looks like a misspelt known key.
    #[default]
    RefuseTypos,
    /// Warn about every unknown key, misspelt or not (`--allow-unknown-keys`).
    Warn,
}

/// One key the format does not define, where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownKey {
    /// The key's path, `syscalls[3].nmes`.
    pub location: String,
    /// The key as written (cut short when long).
    pub key: String,
    /// The known key closest to it.
    pub closest: Option<&'static str>,
    /// Whether it is a known key given again (the last one counts).
    pub repeated: bool,
    /// Whether it was read as the known key it equals but for case, as Go's encoding/json
    /// (Docker's and runc's reader) matches keys.
    pub case_variant: bool,
}

impl UnknownKey {
    /// Whether the key is within a small edit distance of a known one: a misspelling.
    fn is_typo(&self) -> bool {
        self.case_variant
            || (!self.repeated && self.closest.is_some_and(|c| looks_misspelt(&self.key, c)))
    }
}

/// The keys of `fields` that `known` does not list, as found at `at` (a path prefix such
/// as `syscalls[3]`, empty for the document).
pub(crate) fn unknown_keys<'a>(
    fields: impl Iterator<Item = &'a str>,
    known: &[&'static str],
    at: &str,
) -> Vec<UnknownKey> {
    fields
        .map(|key| UnknownKey {
            location: location(at, key),
            key: crate::docker::shown(key),
            closest: closest(key, known),
            repeated: known.iter().any(|k| k.eq_ignore_ascii_case(key)),
            case_variant: false,
        })
        .collect()
}

/// Where key `key` of the object at `at` is: `at.key`, or for a key that is not a plain
/// word (a stray byte order mark, a space) the object itself, the message naming the key.
fn location(at: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (plain, at.is_empty()) {
        (true, _) => crate::docker::under(at, key),
        (false, false) => at.to_string(),
        (false, true) => "root (the top-level object)".to_string(),
    }
}

/// The known key nearest to `key` (case, `_` and `-` ignored).
fn closest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let k = fold(key);
    known.iter().copied().min_by_key(|c| distance(&k, &fold(c)))
}

/// Whether `key` is a misspelling of `known`: within 1 edit for keys of up to 4
/// letters, 2 up to 9, 3 beyond (case, `_` and `-` ignored).
pub(crate) fn looks_misspelt(key: &str, known: &str) -> bool {
    let (k, c) = (fold(key), fold(known));
    let limit = match c.len() {
        0..=4 => 1,
        5..=9 => 2,
        _ => 3,
    };
    distance(&k, &c) <= limit
}

fn fold(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// The warnings for `keys`, or the error for the first misspelt one (unless `mode` is
/// [`UnknownKeys::Warn`]).
pub(crate) fn findings(
    keys: Vec<UnknownKey>,
    file: &str,
    mode: UnknownKeys,
) -> Result<Vec<Warning>, PolicyError> {
    if mode == UnknownKeys::RefuseTypos
        && let Some(k) = keys.iter().find(|k| k.is_typo())
    {
        if k.case_variant {
            return Err(PolicyError::invalid(
                file,
                k.location.clone(),
                format!(
                    "key `{}` is `{}` in other case: Docker and runc read it as `{1}` (Go matches keys ignoring case), readers that match exactly ignore it; spell it `{1}` (or pass --allow-unknown-keys to read it as Docker does)",
                    k.key.escape_debug(),
                    k.closest.unwrap_or_default()
                ),
            ));
        }
        return Err(PolicyError::invalid(
            file,
            k.location.clone(),
            format!(
                "unknown key `{}`: did you mean `{}`? Docker and runc ignore keys they do not know, so what it holds would be dropped without a word; fix the spelling (or pass --allow-unknown-keys to go on without it)",
                k.key.escape_debug(),
                k.closest.unwrap_or_default()
            ),
        ));
    }
    Ok(keys.into_iter().map(warning).collect())
}

fn warning(k: UnknownKey) -> Warning {
    let key = k.key.escape_debug();
    let message = if k.case_variant {
        format!(
            "key `{}` read as `{}`, as Docker and runc read it (ignoring case); readers that match exactly ignore it: spell it `{1}`",
            key,
            k.closest.unwrap_or_default()
        )
    } else if k.repeated {
        format!(
            "key `{key}` is given more than once; only the last counts (as Docker and runc read it): remove the others"
        )
    } else {
        let hint = match (k.closest, k.is_typo()) {
            (Some(c), true) => format!("; did you mean `{c}`?"),
            (Some(c), false) => format!(" (the closest known key here is `{c}`)"),
            (None, _) => String::new(),
        };
        format!("unknown key `{key}`, ignored as Docker and runc ignore it{hint}")
    };
    Warning {
        location: k.location,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_are_told_from_other_keys() {
        for (typo, key) in [
            ("sycalls", "syscalls"),
            ("defualtAction", "defaultAction"),
            ("errnoret", "errnoRet"),
            ("value_two", "valueTwo"),
            ("valueTow", "valueTwo"),
            ("nmes", "names"),
            ("ops", "op"),
        ] {
            assert!(looks_misspelt(typo, key), "{typo} ~ {key}");
        }
        for (other, key) in [("comments", "op"), ("arches", "args"), ("id", "op")] {
            assert!(!looks_misspelt(other, key), "{other} !~ {key}");
        }
    }
}
