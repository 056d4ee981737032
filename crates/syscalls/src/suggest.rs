//! "Did you mean" suggestions for misspelt names. The work is bounded whatever the input:
//! a name far longer than any candidate gets no suggestion, candidates whose length alone
//! rules them out are skipped, and each distance stops once it exceeds the limit.

/// Names longer than this get no suggestion (the longest syscall name has 24 bytes).
pub const MAX_SUGGESTED_LEN: usize = 64;

/// Returns up to three candidates closest to `wanted` by edit distance, best first; only
/// candidates close enough to be a plausible typo are returned.
pub fn closest_names<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    if wanted.is_empty() || wanted.len() > MAX_SUGGESTED_LEN {
        return Vec::new();
    }
    let limit = (wanted.len() / 3).max(2);
    let mut scored: Vec<(usize, &'a str)> = candidates
        .filter_map(|c| score(wanted, c, limit).map(|d| (d, c)))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// The distance of a plausible candidate, or None: within `limit` edits, or containing
/// `wanted` (of at least 4 bytes) — then ranked after every closer candidate.
fn score(wanted: &str, candidate: &str, limit: usize) -> Option<usize> {
    if let Some(d) = bounded_distance(wanted, candidate, limit) {
        return Some(d);
    }
    (wanted.len() >= 4 && candidate.contains(wanted)).then_some(limit + candidate.len())
}

/// Levenshtein distance with transpositions counted as one edit, or None when it exceeds
/// `limit` (decided early: from the lengths, or once a whole row exceeds it).
fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        if cur.iter().all(|d| *d > limit) {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_name_one_typo_away() {
        let names = ["openat", "open", "openat2", "close"];
        assert_eq!(closest_names("openatt", names.into_iter())[0], "openat");
        assert_eq!(closest_names("opnat", names.into_iter())[0], "openat");
    }

    #[test]
    fn suggests_nothing_for_unrelated_words() {
        let names = ["openat", "close"];
        assert!(closest_names("frobnicate", names.into_iter()).is_empty());
    }

    #[test]
    fn a_contained_name_ranks_after_close_ones() {
        let names = ["clock_gettime", "gettid"];
        assert_eq!(
            closest_names("gettim", names.into_iter()),
            ["gettid", "clock_gettime"]
        );
    }

    #[test]
    fn distances_beyond_the_limit_are_none() {
        assert_eq!(bounded_distance("read", "raed", 2), Some(1));
        assert_eq!(bounded_distance("read", "write", 2), None);
        assert_eq!(bounded_distance("a", "abcdefgh", 2), None);
    }

    #[test]
    fn names_far_longer_than_any_syscall_get_no_suggestion() {
        let long = "read".repeat(1000);
        assert!(closest_names(&long, ["read"].into_iter()).is_empty());
    }
}
