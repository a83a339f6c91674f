//! A one-line text field: what the add form and the link screen's code field are made of. It
//! edits as a shell line does (readline's keys) and shows the part of the text around the caret
//! that fits the field. Kept by hand rather than taken from `tui-input` (which would fit ratatui
//! 0.30): pastes need their line breaks dropped, secrets need masking while scrolled, and the
//! whole field is this one small file.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Span;

use crate::text::{Lines, printable};

/// Where typing goes, drawn between two characters.
pub const CARET: char = '▏';
/// Where the text goes on beyond the field's edge.
const MORE: char = '…';

/// The editing keys [`TextInput::handle`] knows, for the help screen.
pub const EDITING_KEYS: &[(&str, &str)] = &[
    ("←/→", "move the caret (Ctrl-B/Ctrl-F too)"),
    ("Ctrl-←/→", "move by a word (Alt-B/Alt-F too)"),
    ("Home/End", "to the start / end (Ctrl-A/Ctrl-E too)"),
    ("Backspace", "delete before the caret (Ctrl-H too)"),
    ("Delete", "delete under the caret (Ctrl-D too)"),
    ("Ctrl-W", "delete the word before the caret"),
    ("Ctrl-U", "delete to the start"),
    ("Ctrl-K", "delete to the end"),
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// In characters.
    cursor: usize,
}

impl TextInput {
    pub fn with_text(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Inserts pasted text at the cursor; line breaks become nothing (a URL pasted from a
    /// wrapped terminal line arrives in pieces).
    pub fn insert_str(&mut self, pasted: &str) {
        for c in pasted.chars().filter(|c| !c.is_control()) {
            self.insert(c);
        }
    }

    fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Removes the characters `from..to` and leaves the caret at `from`.
    fn cut(&mut self, from: usize, to: usize) {
        let (start, end) = (self.byte_at(from), self.byte_at(to));
        self.text.replace_range(start..end, "");
        self.cursor = from;
    }

    /// Where the word before the caret starts: readline's `unix-word-rubout` stops at spaces,
    /// so Ctrl-W takes back a whole pasted URL, as in a shell.
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = chars.len();
        while at > 0 && chars[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !chars[at - 1].is_whitespace() {
            at -= 1;
        }
        at
    }

    /// Ctrl-←/→ and Alt-b/f move over letters and digits, stopping at punctuation.
    fn word_left(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = chars.len();
        while at > 0 && !chars[at - 1].is_alphanumeric() {
            at -= 1;
        }
        while at > 0 && chars[at - 1].is_alphanumeric() {
            at -= 1;
        }
        at
    }

    fn word_right(&self) -> usize {
        let rest: Vec<char> = self.text.chars().skip(self.cursor).collect();
        let mut at = 0;
        while at < rest.len() && !rest[at].is_alphanumeric() {
            at += 1;
        }
        while at < rest.len() && rest[at].is_alphanumeric() {
            at += 1;
        }
        self.cursor + at
    }

    /// Edits for a key, as in a shell line; returns whether the key was an edit.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let (cursor, len) = (self.cursor, self.len());
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('b') if ctrl => self.cursor = cursor.saturating_sub(1),
            KeyCode::Char('f') if ctrl => self.cursor = (cursor + 1).min(len),
            KeyCode::Char('u') if ctrl => self.cut(0, cursor),
            KeyCode::Char('k') if ctrl => self.cut(cursor, len),
            KeyCode::Char('w') if ctrl => self.cut(self.word_start(), cursor),
            KeyCode::Char('h') if ctrl => self.cut(cursor.saturating_sub(1), cursor),
            KeyCode::Char('d') if ctrl => self.cut(cursor, (cursor + 1).min(len)),
            KeyCode::Char(_) if ctrl => return false,
            KeyCode::Char('b') if alt => self.cursor = self.word_left(),
            KeyCode::Char('f') if alt => self.cursor = self.word_right(),
            KeyCode::Char(_) if alt => return false,
            KeyCode::Char(c) => self.insert(c),
            KeyCode::Backspace if alt || ctrl => self.cut(self.word_left(), cursor),
            KeyCode::Backspace => self.cut(cursor.saturating_sub(1), cursor),
            KeyCode::Delete => self.cut(cursor, (cursor + 1).min(len)),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_left(),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_right(),
            KeyCode::Left => self.cursor = cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            _ => return false,
        }
        true
    }

    /// What a field `width` cells wide shows: the text (each character escaped, or `mask`ed),
    /// scrolled so the caret is always in view, with `…` at an edge the text goes on beyond,
    /// and with `caret` the caret where typing goes. Without it the field shows its start.
    pub fn shown(&self, width: usize, mask: Option<char>, caret: bool) -> String {
        let cells: Vec<String> = self
            .text
            .chars()
            .map(|c| match mask {
                Some(m) => m.to_string(),
                None => printable(&c.to_string(), Lines::One).into_owned(),
            })
            .collect();
        let widths: Vec<usize> = cells
            .iter()
            .map(|c| Span::raw(c.as_str()).width())
            .collect();
        if width == 0 {
            return String::new();
        }
        let (cursor, caret_cells) = if caret { (self.cursor, 1) } else { (0, 0) };
        let mut prefix = vec![0];
        for w in &widths {
            prefix.push(prefix[prefix.len() - 1] + w);
        }
        let end = cells.len();
        let after = prefix[end] - prefix[cursor];
        let used =
            |start: usize| usize::from(start > 0) + prefix[cursor] - prefix[start] + caret_cells;
        // Everything to the end when it fits beside the caret; else the caret with a cell left
        // for a `…` on the right.
        let start = (0..=cursor)
            .find(|&s| used(s) + after <= width)
            .or_else(|| (0..=cursor).find(|&s| used(s) < width))
            .unwrap_or(cursor);
        let room_after = width.saturating_sub(used(start));
        let mut out = String::new();
        if start > 0 {
            out.push(MORE);
        }
        for cell in &cells[start..cursor] {
            out.push_str(cell);
        }
        if caret {
            out.push(CARET);
        }
        if after <= room_after {
            cells[cursor..].iter().for_each(|c| out.push_str(c));
            return out;
        }
        let mut used = 0;
        for (cell, w) in cells[cursor..end].iter().zip(&widths[cursor..]) {
            if used + w + 1 > room_after {
                break;
            }
            out.push_str(cell);
            used += w;
        }
        if room_after > 0 {
            out.push(MORE);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str, cursor: usize) -> TextInput {
        TextInput {
            text: text.into(),
            cursor,
        }
    }

    fn press(input: &mut TextInput, code: KeyCode, modifiers: KeyModifiers) -> bool {
        input.handle(&KeyEvent::new(code, modifiers))
    }

    /// The text with `|` where the caret is.
    fn after(text: &str, cursor: usize, code: KeyCode, modifiers: KeyModifiers) -> String {
        let mut input = field(text, cursor);
        assert!(press(&mut input, code, modifiers), "{code:?} is an edit");
        let mut shown: String = input.text.chars().take(input.cursor).collect();
        shown.push('|');
        shown.extend(input.text.chars().skip(input.cursor));
        shown
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;
    const CTRL: KeyModifiers = KeyModifiers::CONTROL;
    const ALT: KeyModifiers = KeyModifiers::ALT;

    #[test]
    fn typing_goes_where_the_caret_is() {
        assert_eq!(after("demo", 2, KeyCode::Char('x'), NONE), "dex|mo");
        assert_eq!(
            after("demo", 2, KeyCode::Char('X'), KeyModifiers::SHIFT),
            "deX|mo"
        );
        assert_eq!(after("hé", 1, KeyCode::Char('x'), NONE), "hx|é");
    }

    #[test]
    fn arrows_home_and_end_move_the_caret() {
        assert_eq!(after("demo", 4, KeyCode::Left, NONE), "dem|o");
        assert_eq!(after("demo", 0, KeyCode::Left, NONE), "|demo");
        assert_eq!(after("demo", 2, KeyCode::Right, NONE), "dem|o");
        assert_eq!(after("demo", 4, KeyCode::Right, NONE), "demo|");
        assert_eq!(after("demo", 2, KeyCode::Home, NONE), "|demo");
        assert_eq!(after("demo", 2, KeyCode::End, NONE), "demo|");
        assert_eq!(after("demo", 2, KeyCode::Char('a'), CTRL), "|demo");
        assert_eq!(after("demo", 2, KeyCode::Char('e'), CTRL), "demo|");
        assert_eq!(after("demo", 2, KeyCode::Char('b'), CTRL), "d|emo");
        assert_eq!(after("demo", 2, KeyCode::Char('f'), CTRL), "dem|o");
    }

    #[test]
    fn word_moves_stop_at_punctuation() {
        let url = "https://as.example/cb";
        assert_eq!(
            after(url, 21, KeyCode::Left, CTRL),
            "https://as.example/|cb"
        );
        assert_eq!(
            after(url, 19, KeyCode::Char('b'), ALT),
            "https://as.|example/cb"
        );
        assert_eq!(
            after(url, 0, KeyCode::Right, CTRL),
            "https|://as.example/cb"
        );
        assert_eq!(
            after(url, 5, KeyCode::Char('f'), ALT),
            "https://as|.example/cb"
        );
    }

    #[test]
    fn backspace_and_delete_take_one_character() {
        assert_eq!(after("demo", 2, KeyCode::Backspace, NONE), "d|mo");
        assert_eq!(after("demo", 0, KeyCode::Backspace, NONE), "|demo");
        assert_eq!(after("demo", 2, KeyCode::Char('h'), CTRL), "d|mo");
        assert_eq!(after("demo", 2, KeyCode::Delete, NONE), "de|o");
        assert_eq!(after("demo", 4, KeyCode::Delete, NONE), "demo|");
        assert_eq!(after("demo", 2, KeyCode::Char('d'), CTRL), "de|o");
        assert_eq!(after("hé!", 2, KeyCode::Backspace, NONE), "h|!");
    }

    #[test]
    fn shell_kills_take_a_word_or_a_side_of_the_line() {
        assert_eq!(
            after("code abc def", 12, KeyCode::Char('w'), CTRL),
            "code abc |"
        );
        assert_eq!(after("code abc  ", 10, KeyCode::Char('w'), CTRL), "code |");
        assert_eq!(after("https://a/b?c=d", 15, KeyCode::Char('w'), CTRL), "|");
        assert_eq!(after("a/b-c", 5, KeyCode::Backspace, ALT), "a/b-|");
        assert_eq!(after("demo", 2, KeyCode::Char('u'), CTRL), "|mo");
        assert_eq!(after("demo", 2, KeyCode::Char('k'), CTRL), "de|");
    }

    #[test]
    fn other_control_keys_are_not_edits() {
        let mut input = field("demo", 2);
        assert!(!press(&mut input, KeyCode::Char('c'), CTRL));
        assert!(!press(&mut input, KeyCode::Char('x'), ALT));
        assert!(!press(&mut input, KeyCode::Enter, NONE));
        assert!(!press(&mut input, KeyCode::Tab, NONE));
        assert_eq!(input, field("demo", 2));
    }

    #[test]
    fn a_paste_loses_its_line_breaks_and_lands_at_the_caret() {
        let mut input = field("h", 1);
        input.insert_str("ttp://a\n/b");
        assert_eq!(input.text(), "http://a/b");
        let mut input = field("ab", 1);
        input.insert_str("XY");
        assert_eq!((input.text(), input.cursor()), ("aXYb", 3));
    }

    #[test]
    fn a_short_text_is_shown_whole_with_the_caret_where_typing_goes() {
        assert_eq!(field("demo", 2).shown(10, None, true), "de▏mo");
        assert_eq!(field("demo", 4).shown(5, None, true), "demo▏");
        assert_eq!(field("demo", 2).shown(10, None, false), "demo");
        assert_eq!(field("secret", 3).shown(10, Some('•'), true), "•••▏•••");
    }

    #[test]
    fn a_long_text_scrolls_so_the_caret_stays_in_view() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        let shown = |cursor: usize| field(text, cursor).shown(10, None, true);
        assert_eq!(shown(0), "▏abcdefgh…");
        assert_eq!(shown(3), "abc▏defgh…");
        assert_eq!(shown(26), "…stuvwxyz▏");
        assert_eq!(shown(24), "…stuvwx▏yz");
        assert_eq!(shown(13), "…ghijklm▏…");
        for cursor in 0..=26 {
            let view = shown(cursor);
            assert_eq!(view.chars().count(), 10, "{view}");
            assert!(view.contains(CARET), "caret hidden at {cursor}: {view}");
        }
        assert_eq!(field(text, 13).shown(10, None, false), "abcdefghi…");
        assert_eq!(field(text, 13).shown(10, Some('•'), true), "…•••••••▏…");
    }

    #[test]
    fn what_a_terminal_would_obey_is_shown_escaped() {
        assert_eq!(field("a\u{202e}b", 3).shown(20, None, true), r"a\u{202e}b▏");
    }
}
