//! The account names nearest a mistyped one, so that "no account named `acc`" can ask "did you
//! mean `acct`?". Only close names: a suggestion far from what was typed is noise.

/// At most this many suggestions.
const MOST: usize = 3;

/// The names among `candidates` within a few edits of `typed` (fewer for a short name), nearest
/// first, ties in the order given. Case is ignored in the distance: `Work` is near `work`. (A
/// leaf below the store's errors, so it leans on no other module of the store.)
pub fn nearest_names<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let typed_lower = typed.to_lowercase();
    let most_edits = match typed.chars().count() {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    let mut near: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != typed)
        .map(|c| (edit_distance(&typed_lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= most_edits)
        .collect();
    near.sort_by_key(|(d, _)| *d);
    near.into_iter()
        .take(MOST)
        .map(|(_, name)| name.to_string())
        .collect()
}

/// Edits (insert, delete, replace, swap of two neighbours) from `a` to `b`: the optimal string
/// alignment distance, which counts the commonest typo, two letters swapped, as one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[at(i - 1, j)] + 1)
                .min(d[at(i, j - 1)] + 1)
                .min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = best;
        }
    }
    d[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_letter_or_a_swap_is_one_edit() {
        assert_eq!(edit_distance("acc", "acct"), 1);
        assert_eq!(edit_distance("wrok", "work"), 1);
        assert_eq!(edit_distance("work", "work"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn only_close_names_are_suggested_nearest_first() {
        let names = ["acct", "acct2", "personal", "work", "Work10"];
        assert_eq!(nearest_names("acc", names), ["acct"]);
        assert_eq!(nearest_names("wrok", names), ["work"]);
        assert_eq!(nearest_names("acct1", names), ["acct", "acct2"]);
        assert!(nearest_names("zzz", names).is_empty(), "nothing far");
        assert!(nearest_names("x", names).is_empty());
    }

    #[test]
    fn a_short_name_gets_fewer_edits_than_a_long_one() {
        assert!(nearest_names("ab", ["xy"]).is_empty());
        assert_eq!(nearest_names("personl", ["personal"]), ["personal"]);
        assert_eq!(nearest_names("prsonl", ["personal"]), ["personal"]);
    }
}
