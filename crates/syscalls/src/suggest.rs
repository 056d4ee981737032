//! "Did you mean" suggestions for misspelt names.

/// Returns up to three candidates closest to `wanted` by edit distance, best first; only
/// candidates close enough to be a plausible typo are returned.
pub fn closest_names<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (wanted.len() / 3).max(2);
    let mut scored: Vec<(usize, &'a str)> = candidates
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|(d, c)| *d <= limit || (c.contains(wanted) && wanted.len() >= 4))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance with transpositions counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
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
}
