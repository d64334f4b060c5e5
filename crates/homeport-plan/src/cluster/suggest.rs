//! "Did you mean" suggestions for misspelt keys and values.

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(3) / 3).max(1))
        // Ties go to the candidate sharing the longer prefix (`gpu` → `gpus`, not `cpu`).
        .min_by_key(|(d, c)| (*d, std::cmp::Reverse(common_prefix(&lower, c))))
        .map(|(_, c)| c)
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_are_suggested_far_ones_not() {
        assert_eq!(did_you_mean("memroy", &["cpu", "memory"]), Some("memory"));
        assert_eq!(did_you_mean("Arch", &["arch", "cpu"]), Some("arch"));
        assert_eq!(did_you_mean("zzz", &["memory"]), None);
        assert_eq!(did_you_mean("aarch64", &["amd64", "arm64", "arm"]), None);
    }
}
