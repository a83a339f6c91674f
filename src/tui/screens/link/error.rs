//! What went wrong on the link screen (either way), placed so that no text above it can push it
//! off a small screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::text::{Lines, printable};
use crate::tui::app::App;
use crate::tui::widgets::wrap::wrap;

/// What went wrong, below the `text` that goes in `area`, in the lines it needs (up to half of
/// `area`, and at least three): right under the text when there is room, else at the foot of
/// `area`, taking the rows it needs from the text, so that no text can push it off a small
/// screen. Returns where the text goes.
pub(super) fn render(
    app: &App,
    error: Option<&str>,
    text: &[Line],
    frame: &mut Frame,
    area: Rect,
) -> Rect {
    let Some(error) = error else {
        return area;
    };
    let width = usize::from(area.width.max(1));
    let text_rows: usize = text.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let most = usize::from(area.height / 2).max(3);
    let lines: Vec<Line> = wrap(&printable(error, Lines::One), usize::from(area.width), most)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, app.theme.error())))
        .collect();
    // A blank line apart from the text, where there is room for one.
    let rows = (lines.len() as u16).min(area.height);
    let gap = u16::from(area.height > rows + 1);
    let room = area.height.saturating_sub(rows + gap);
    let text_height = u16::try_from(text_rows).unwrap_or(u16::MAX).min(room);
    let [text, _, below, _] = Layout::vertical([
        Constraint::Length(text_height),
        Constraint::Length(gap),
        Constraint::Length(rows),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines), below);
    text
}
