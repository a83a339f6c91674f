//! Where the screen's parts go: the body, the notice below it (as many lines as it needs, up to
//! half the screen) and the footer. The views draw there, and the keys read the same layout to
//! know how far a page of a pane goes.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{App, NoticeKind};
use super::quitting;
use super::widgets::wrap;
use crate::text::{Lines, printable};

/// The least share of the screen a notice may take (lines): at 60×16, half of it.
const NOTICE_LINES: usize = 3;

/// The notice, wrapped to the screen: it takes the lines it needs, up to half the screen (and at
/// least three), so that an error with its advice is read whole rather than cut or pushed off;
/// beyond them it ends in "…".
pub fn notice_lines(app: &App, area: Rect) -> Vec<String> {
    let most = usize::from(area.height / 2).max(NOTICE_LINES);
    status_text(app).map_or_else(Vec::new, |(text, _)| {
        wrap::wrap(&printable(&text, Lines::One), area.width as usize, most)
    })
}

/// Where the screen's body goes on a terminal of `area`: above the notice and the footer. Keys
/// use it to know how far a page of a pane moves, as the view will draw it.
pub fn body_area(app: &App, area: Rect) -> Rect {
    let notice = notice_lines(app, area);
    let [body, _, _] = split(area, notice.len());
    body
}

pub fn split(area: Rect, notice: usize) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(notice.max(1) as u16),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// What the status line says: while quitting waits for refreshes, which and how to quit at
/// once; otherwise the notice.
pub fn status_text(app: &App) -> Option<(String, NoticeKind)> {
    if let Some(text) = quitting::status(app) {
        return Some((text, NoticeKind::Info));
    }
    app.notice.as_ref().map(|n| (n.text.clone(), n.kind))
}
