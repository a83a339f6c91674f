//! A pane that shows `room` of its `total` lines from `offset`: how the moving keys scroll it,
//! where it stands ("lines 3–22 of 73"), and how its title shows that it has the focus.

use ratatui::text::Span;

use super::theme::Theme;
use crate::tui::keymap::Action;

/// `offset` brought into range: the last page shows full, never empty lines past the end.
pub fn clamp(offset: usize, room: usize, total: usize) -> usize {
    offset.min(total.saturating_sub(room))
}

/// The offset after `action` (a moving key) in a pane of `room` lines out of `total`; other
/// actions leave it.
pub fn scrolled(offset: usize, action: Action, room: usize, total: usize) -> usize {
    let offset = clamp(offset, room, total);
    let page = room.saturating_sub(1).max(1);
    let moved = match action {
        Action::Down => offset.saturating_add(1),
        Action::Up => offset.saturating_sub(1),
        Action::PageDown => offset.saturating_add(page),
        Action::PageUp => offset.saturating_sub(page),
        Action::First => 0,
        Action::Last => usize::MAX,
        _ => offset,
    };
    clamp(moved, room, total)
}

/// Where the pane stands, when it cannot show all: "lines 3–22 of 73".
pub fn position(offset: usize, room: usize, total: usize) -> Option<String> {
    (total > room && room > 0).then(|| {
        let offset = clamp(offset, room, total);
        format!("lines {}–{} of {total}", offset + 1, offset + room)
    })
}

/// A pane's title; the focused pane's is marked, so that it is plain which one the moving keys
/// scroll.
pub fn title(text: String, focused: bool, theme: &Theme) -> Span<'static> {
    match focused {
        true => Span::styled(format!(" ▸{text}"), theme.focused()),
        false => Span::styled(text, theme.title()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_stays_between_the_top_and_the_last_full_page() {
        assert_eq!(scrolled(0, Action::Up, 10, 73), 0);
        assert_eq!(scrolled(0, Action::Down, 10, 73), 1);
        assert_eq!(scrolled(0, Action::PageDown, 10, 73), 9);
        assert_eq!(scrolled(5, Action::Last, 10, 73), 63);
        assert_eq!(scrolled(63, Action::Down, 10, 73), 63);
        assert_eq!(
            scrolled(63, Action::Up, 10, 73),
            62,
            "up from the end moves at once"
        );
        assert_eq!(scrolled(usize::MAX, Action::Up, 10, 73), 62);
        assert_eq!(scrolled(3, Action::First, 10, 73), 0);
        assert_eq!(scrolled(0, Action::Down, 10, 5), 0, "all of it fits");
    }

    #[test]
    fn the_position_says_which_lines_show_and_how_many_there_are() {
        assert_eq!(position(0, 20, 73).as_deref(), Some("lines 1–20 of 73"));
        assert_eq!(position(99, 20, 73).as_deref(), Some("lines 54–73 of 73"));
        assert_eq!(position(0, 20, 20), None);
    }
}
