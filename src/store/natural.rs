//! The order people expect names in: `acct2` before `acct10`, `Work` beside `work`. Runs of digits
//! compare as numbers, the rest without regard to case; ties fall back to the plain byte order, so
//! the order is total and stable.

use std::cmp::Ordering;
use std::iter::Peekable;
use std::str::Chars;

use super::accounts::{Account, Accounts};

/// Compares two names in natural order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let ordering = compare_numbers(&digits(&mut x), &digits(&mut y));
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            (Some(c), Some(d)) => {
                let ordering = c.to_lowercase().cmp(d.to_lowercase());
                if ordering != Ordering::Equal {
                    return ordering;
                }
                x.next();
                y.next();
            }
        }
    }
}

fn digits(chars: &mut Peekable<Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        run.push(c);
    }
    run
}

/// Two digit runs as numbers of any length: fewer significant digits is smaller.
fn compare_numbers(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Accounts {
    /// The accounts in natural order of their names.
    pub fn in_natural_order(&self) -> Vec<(&String, &Account)> {
        let mut all: Vec<_> = self.accounts.iter().collect();
        all.sort_by(|(a, _), (b, _)| natural_cmp(a, b));
        all
    }

    /// The same, taking them.
    pub fn into_natural_order(self) -> Vec<(String, Account)> {
        let mut all: Vec<_> = self.accounts.into_iter().collect();
        all.sort_by(|(a, _), (b, _)| natural_cmp(a, b));
        all
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn numbers_sort_as_numbers_and_case_is_ignored() {
        let mut names = vec![
            "acct10", "acct2", "Work", "acct1", "work", "acct02", "b", "A",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "A", "acct1", "acct02", "acct2", "acct10", "b", "Work", "work"
            ]
        );
        // Longer than any integer type.
        assert_eq!(
            natural_cmp("x99999999999999999999999", "x100000000000000000000000"),
            Ordering::Less
        );
    }

    proptest! {
        #![proptest_config(crate::properties::config())]
        /// A total order: antisymmetric, consistent with equality, transitive.
        #[test]
        fn is_a_total_order(a in "[a-cA-C0-2]{0,6}", b in "[a-cA-C0-2]{0,6}", c in "[a-cA-C0-2]{0,6}") {
            prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
            prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
            if natural_cmp(&a, &b) != Ordering::Greater && natural_cmp(&b, &c) != Ordering::Greater {
                prop_assert_ne!(natural_cmp(&a, &c), Ordering::Greater);
            }
        }
    }
}
