//! What the screens draw with: the theme, the text field, the QR code, text fitted to its cells,
//! a scrolled pane's position, and the footer written from the keymap. None of it knows the `App`: a widget is given what it
//! shows.

pub mod footer;
pub mod input;
pub mod qr;
pub mod scroll;
pub mod theme;
pub mod wrap;

use ratatui::layout::{Constraint, Flex, Layout, Rect};

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// The spinner as it is after `ticks` ticks of being busy.
pub fn spinner(ticks: usize) -> &'static str {
    SPINNER[ticks % SPINNER.len()]
}

/// A `width`×`height` box in the middle of `area` (as much of it as fits): where a popup goes.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
