//! Text fitted to the cells it has: wrapped at spaces into as many lines as it may take, and
//! cut with "…" beyond them, never silently in the middle of a word.

use ratatui::text::{Line, Span};

/// `text` wrapped into lines of at most `width` cells, at most `max_lines` of them; a word
/// longer than a line is broken, and the last line ends in "…" when text was left over.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    if width == 0 || max_lines == 0 {
        return Vec::new();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = cells(word);
        if used > 0 && used + 1 + w <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // A word wider than a line is broken wherever the line ends.
        for c in word.chars() {
            let cw = cells(c.encode_utf8(&mut [0; 4]));
            if used + cw > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if used > 0 {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while cells(last) + 1 > width {
                last.pop();
            }
            let kept = last.trim_end().len();
            last.truncate(kept);
            last.push('…');
        }
    }
    lines
}

/// `text` in one line of at most `width` cells, ending in "…" when it was cut.
pub fn one_line(text: &str, width: usize) -> String {
    if cells(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if cells(&out) + cells(c.encode_utf8(&mut [0; 4])) + 1 > width {
            break;
        }
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `text` in at most `width` characters, cut with "…" when it is longer: never cut silently.
/// (Characters, not cells as `one_line` counts: the accounts' columns have always measured so.)
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        cut.push('…');
    }
    cut
}

/// `line` in at most `width` cells: its spans kept (with their styles) as far as they fit, the
/// last one cut with "…" when the line was longer.
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = span.width();
        if w < left {
            left -= w;
            spans.push(span);
            continue;
        }
        spans.push(Span::styled(one_line(&span.content, left), span.style));
        break;
    }
    Line::from(spans)
}

/// How many terminal cells `text` takes.
pub fn cells(text: &str) -> usize {
    Span::raw(text).width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_keeps_its_spans_and_ends_in_an_ellipsis() {
        let line = Line::from(vec![Span::raw("14:26:21  "), Span::raw("mail refreshed")]);
        let fitted = fit_line(line.clone(), 16);
        assert_eq!(fitted.to_string(), "14:26:21  mail …");
        assert_eq!(fitted.width(), 16);
        assert_eq!(
            fit_line(line.clone(), 40),
            line,
            "a line that fits is left alone"
        );
    }

    #[test]
    fn wraps_at_spaces_and_never_cuts_a_word_silently() {
        assert_eq!(
            wrap("Check the network and try again", 14, 3),
            ["Check the", "network and", "try again"]
        );
        assert_eq!(
            wrap("Check the network and try again", 14, 2),
            ["Check the", "network and…"]
        );
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefghijkl", 4, 2), ["abcd", "efg…"]);
        assert!(wrap("", 10, 3).is_empty());
    }

    #[test]
    fn one_line_ends_in_an_ellipsis_when_cut() {
        assert_eq!(one_line("demo", 4), "demo");
        assert_eq!(one_line("demo2", 4), "dem…");
    }
}
