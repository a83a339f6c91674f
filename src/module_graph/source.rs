//! Reading one Rust file for the module paths it names: comments, strings and test code taken
//! out, `use` trees expanded, and the paths in code that start at `crate`, `super`, `self`, a
//! child the file declares, or a name a `use` brought in (`accounts::keys::on_key` after `use
//! super::screens::accounts`).

use std::collections::{BTreeSet, HashMap};

/// One file's code as the graph reads it.
pub(super) struct Source {
    code: String,
    /// The children it declares (`mod x;`) outside test code.
    pub(super) children: BTreeSet<String>,
    /// The children it declares under `#[cfg(test)]`: their files are test code.
    pub(super) test_children: Vec<String>,
}

impl Source {
    pub(super) fn new(text: &str) -> Source {
        let (code, test_children) = without_test_items(strip(text));
        let code = inline_modules_read_as_the_file(&code);
        let children = code
            .match_indices("mod ")
            .filter(|&(k, _)| starts_word(&code, k))
            .filter_map(|(k, _)| {
                let rest = code[k + 4..].trim_start();
                let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
                let declared = rest[name.len()..].trim_start().starts_with(';');
                (declared && !name.is_empty()).then_some(name)
            })
            .collect();
        Source {
            code,
            children,
            test_children,
        }
    }

    /// Each path of each `use`, and whether that `use` re-exports it (`pub use`, `pub(crate)
    /// use`, …). An alias (`as x`) is dropped: the path is what the module depends on.
    pub(super) fn uses(&self) -> Vec<(String, bool)> {
        use_statements(&self.code)
            .into_iter()
            .flat_map(|(start, end, public)| {
                let tree = &self.code[start + 4..end];
                expand(tree)
                    .into_iter()
                    .map(move |(path, _)| (path, public))
            })
            .collect()
    }

    /// Each name a `use` brings in from this crate, with the path it stands for: `use
    /// super::a::{self, B as C}` brings in `a` (for `super::a`) and `C` (for `super::a::B`).
    fn imports(&self) -> HashMap<String, String> {
        use_statements(&self.code)
            .into_iter()
            .flat_map(|(start, end, _)| expand(&self.code[start + 4..end]))
            .filter_map(|(path, alias)| {
                let path = path.strip_suffix("::self").unwrap_or(&path).to_string();
                let name = alias.or_else(|| path.rsplit("::").next().map(str::to_string))?;
                let first = path.split("::").next().unwrap_or_default();
                let ours =
                    matches!(first, "crate" | "super" | "self") || self.children.contains(first);
                ours.then_some((name, path))
            })
            .collect()
    }

    /// The paths in code outside `use` that start at `crate`, `super` or `self`; those that
    /// start at a declared child (given as `self::child::…`); and those that start at a name a
    /// `use` brought in from this crate (given whole: `accounts::keys::on_key` after `use
    /// super::screens::accounts` is `super::screens::accounts::keys::on_key`).
    pub(super) fn paths(&self) -> Vec<String> {
        let imports = self.imports();
        let mut code = self.code.clone();
        for (start, end, _) in use_statements(&self.code).into_iter().rev() {
            code.replace_range(start..=end, "");
        }
        let mut found = Vec::new();
        for (k, _) in code.char_indices() {
            let before = code[..k].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let path: String = code[k..]
                .chars()
                .take_while(|&c| is_ident(c) || c == ':')
                .collect();
            let path = path.trim_end_matches(':');
            let Some((first, _)) = path.split_once("::") else {
                continue;
            };
            if matches!(first, "crate" | "super" | "self") {
                found.push(path.to_string());
            } else if self.children.contains(first) {
                found.push(format!("self::{path}"));
            } else if let Some(imported) = imports.get(first) {
                found.push(format!("{imported}{}", &path[first.len()..]));
            }
        }
        found
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether a word starting at `k` starts there (is not the tail of an identifier).
fn starts_word(code: &str, k: usize) -> bool {
    !code[..k].chars().next_back().is_some_and(is_ident)
}

/// The code without comments, and with every string and character literal emptied: what is
/// left names modules only in code.
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize, s: &str| {
        s.chars()
            .enumerate()
            .all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    let find = |from: usize, s: &str| (from..chars.len()).find(|&k| at(k, s));
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let word_start = i == 0 || !is_ident(chars[i - 1]);
        i = if at(i, "//") {
            find(i, "\n").unwrap_or(chars.len())
        } else if at(i, "/*") {
            let mut depth = 0usize;
            let mut k = i;
            while k < chars.len() {
                if at(k, "/*") {
                    depth += 1;
                    k += 2;
                } else if at(k, "*/") {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    k += 1;
                }
            }
            k
        } else if let Some((open, hashes)) = raw_string(&chars, i).filter(|_| word_start) {
            // r"…", r#"…"#, br"…": up to the quote followed by as many `#`s.
            out.push_str("\"\"");
            let close = format!("\"{}", "#".repeat(hashes));
            find(open + 1, &close).map_or(chars.len(), |k| k + close.len())
        } else if c == '"' {
            out.push_str("\"\"");
            let mut k = i + 1;
            while k < chars.len() && chars[k] != '"' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            k + 1
        } else if c == '\'' && chars.get(i + 1) == Some(&'\\') {
            // An escaped character: '\n', '\'', '\u{1b}'.
            out.push_str("' '");
            find(i + 2, "'").map_or(chars.len(), |k| k + 1)
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i + 3
        } else {
            // Code, or a lifetime's quote.
            out.push(c);
            i + 1
        };
    }
    out
}

/// Where the opening quote of a raw string literal starting at `i` is, and its number of `#`s.
fn raw_string(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let r = i + usize::from(matches!(chars.get(i), Some('b' | 'c')));
    if chars.get(r) != Some(&'r') {
        return None;
    }
    let hashes = chars[r + 1..].iter().take_while(|&&c| c == '#').count();
    let open = r + 1 + hashes;
    (chars.get(open) == Some(&'"')).then_some((open, hashes))
}

/// The code without the items under `#[cfg(test)]` or `#[cfg(all(test, …))]`, and the names of
/// the children declared that way.
fn without_test_items(mut code: String) -> (String, Vec<String>) {
    let mut test_children = Vec::new();
    while let Some(start) = ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|attribute| code.find(attribute))
        .min()
    {
        let after = start + code[start..].find(']').map_or(0, |k| k + 1);
        let semicolon = code[after..].find(';').map(|k| after + k);
        let brace = code[after..].find('{').map(|k| after + k);
        let end = match (semicolon, brace) {
            (_, Some(b)) if semicolon.is_none_or(|s| b < s) => {
                matching_brace(&code, b).map_or(code.len(), |e| e + 1)
            }
            (Some(s), _) => {
                let item = code[after..s].trim();
                if let Some(name) = item.strip_prefix("mod ").or(item.strip_prefix("pub mod ")) {
                    test_children.push(name.trim().to_string());
                }
                s + 1
            }
            (None, _) => code.len(),
        };
        code.replace_range(start..end, "");
    }
    (code, test_children)
}

/// Where the block opened at `open` closes.
fn matching_brace(code: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => return Some(open + k),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Inside an inline `mod x { … }` (not a file of its own), `super::` names the file's module:
/// written as `self::`, the whole file reads as the one module it is.
fn inline_modules_read_as_the_file(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(open) = inline_module(rest) {
        let close = matching_brace(rest, open).unwrap_or(rest.len());
        out.push_str(&rest[..=open]);
        let body = rest[open + 1..close]
            .replace("super::super::", "\u{0}")
            .replace("super::", "self::")
            .replace('\u{0}', "super::");
        out.push_str(&body);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Where the brace of the first `mod name {` in `code` is.
fn inline_module(code: &str) -> Option<usize> {
    code.match_indices("mod ")
        .filter(|&(k, _)| starts_word(code, k))
        .find_map(|(k, _)| {
            let rest = code[k + 4..].trim_start();
            let name_len = rest.chars().take_while(|&c| is_ident(c)).count();
            let tail = rest[name_len..].trim_start();
            (name_len > 0 && tail.starts_with('{')).then(|| code.len() - tail.len())
        })
}

/// Every `use …;`: where `use` starts, where its `;` is, and whether it re-exports.
fn use_statements(code: &str) -> Vec<(usize, usize, bool)> {
    code.match_indices("use ")
        .filter(|&(k, _)| starts_word(code, k))
        .filter_map(|(k, _)| {
            let end = k + code[k..].find(';')?;
            let before = code[..k].trim_end();
            let restricted = before.ends_with(')')
                && before
                    .rfind("pub(")
                    .is_some_and(|p| !before[p..].contains([';', '{', '}']));
            Some((k, end, before.ends_with("pub") || restricted))
        })
        .collect()
}

/// `a::{b, c::{d, e as f}}` as `a::b`, `a::c::d` and `a::c::e` (with its alias `f`).
fn expand(tree: &str) -> Vec<(String, Option<String>)> {
    expand_marked(&marking_aliases(tree))
        .into_iter()
        .map(|path| match path.split_once('@') {
            Some((path, alias)) => (path.to_string(), Some(alias.to_string())),
            None => (path, None),
        })
        .collect()
}

/// `expand`, on a tree whose aliases are marked (`e@f`).
fn expand_marked(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let (prefix, inner) = (
        &tree[..open],
        &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())],
    );
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for c in inner.chars() {
        match c {
            ',' if depth == 0 => parts.push(std::mem::take(&mut current)),
            '{' | '}' => {
                depth = if c == '{' { depth + 1 } else { depth - 1 };
                current.push(c);
            }
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .iter()
        .filter(|part| !part.is_empty())
        .flat_map(|part| expand_marked(&format!("{prefix}{part}")))
        .collect()
}

/// A `use` tree with its aliases marked: `B as C` is `B@C` (the path is what the module
/// depends on; the alias is the name its code uses).
fn marking_aliases(tree: &str) -> String {
    let words: Vec<&str> = tree.split_whitespace().collect();
    let mut kept: Vec<String> = Vec::new();
    let mut k = 0;
    while k < words.len() {
        if words[k] == "as" && k + 1 < words.len() {
            // The alias, and whatever closes after it (`C},`), onto the path.
            if let Some(path) = kept.pop() {
                kept.push(format!("{path}@{}", words[k + 1]));
            }
            k += 2;
        } else {
            kept.push(words[k].to_string());
            k += 1;
        }
    }
    kept.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_strings_and_test_code_name_nothing() {
        let text = concat!(
            "// use crate::oauth;\n",
            "/* crate::store /* nested */ crate::tui */\n",
            "let s = \"crate::cli\"; let r = r#\"super::x \"q\"\"#; let c = '\"'; let l: &'a str = x;\n",
            "fn keep() { crate::time::later(); }\n",
            "#[cfg(test)]\nmod tests { use crate::store; }\n",
            "#[cfg(all(test, unix))]\nfn only_there() { crate::tui::run(); }\n",
            "#[cfg(test)]\nmod properties;\n",
        );
        let source = Source::new(text);
        assert_eq!(source.paths(), ["crate::time::later"], "{}", source.code);
        assert!(source.uses().is_empty(), "{}", source.code);
        assert_eq!(source.test_children, ["properties"]);
        assert!(source.children.is_empty());
    }

    /// `use super::screens::{accounts}` then `accounts::keys::on_key()` names
    /// `screens::accounts::keys`, not only `screens::accounts`: a circle through it shows.
    #[test]
    fn a_path_through_a_name_a_use_brought_in_is_read_whole() {
        let source = Source::new(concat!(
            "mod child;\n",
            "use super::screens::{accounts, link::{self, Phase}};\n",
            "use crate::cli::stop as words;\n",
            "use child::inner;\n",
            "use std::fmt;\n",
            "fn f() { accounts::keys::on_key(); link::update::open(); Phase::Done; }\n",
            "fn g() { words::say(); inner::x(); fmt::Display::fmt(); accounts.len(); }\n",
        ));
        assert_eq!(
            source.paths(),
            [
                "super::screens::accounts::keys::on_key",
                "super::screens::link::update::open",
                "super::screens::link::Phase::Done",
                "crate::cli::stop::say",
                "child::inner::x",
            ]
        );
    }

    #[test]
    fn use_trees_are_expanded_and_re_exports_told_apart() {
        let source = Source::new(concat!(
            "mod child;\nmod wording;\n",
            "pub use child::{Thing, inner::{A, B as C}};\n",
            "pub(crate) use wording::clause;\n",
            "use super::error::Error;\n",
            "fn f() { child::call(); reuse::x(); }\n",
            "mod inline { use super::Error; fn g() { super::super::up(); } }\n",
        ));
        assert_eq!(
            source.uses(),
            [
                ("child::Thing".to_string(), true),
                ("child::inner::A".to_string(), true),
                ("child::inner::B".to_string(), true),
                ("wording::clause".to_string(), true),
                ("super::error::Error".to_string(), false),
                ("self::Error".to_string(), false),
            ]
        );
        assert_eq!(source.paths(), ["self::child::call", "super::up"]);
        assert_eq!(
            source.children,
            BTreeSet::from(["child".to_string(), "wording".to_string()])
        );
    }
}
