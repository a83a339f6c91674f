//! The live log: every link and refresh, by this process or another, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::text::{Lines, printable};
use crate::time::{clock, near_clock, zone_abbreviation};
use crate::tui::app::App;
use crate::tui::widgets::wrap::{fit, fit_line};

/// The account column, wide enough for most names; longer ones are cut with "…".
const ACCOUNT: usize = 12;

/// The rows the log keeps when space is short: its title and up to `lines` of what it has to
/// show (at least one line, which says when there is nothing yet).
pub fn height_min(app: &App, lines: usize) -> u16 {
    let shown = app.visible_log().take(lines).count() + usize::from(app.log_unreadable > 0);
    (shown.clamp(1, lines) + 1) as u16
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    // The zone as it is now: on the night clocks change, lines before and after differ by an hour
    // while their order (the log's) stays true.
    let zone = zone_abbreviation(app.now, &app.zone);
    let title = match (app.log_filter, app.selected_row()) {
        (true, Some(row)) => format!(
            " Live log — {} only (f: all) · {zone} ",
            printable(&row.name, Lines::One)
        ),
        _ => format!(" Live log · {zone} · f: only the selected account "),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, theme.title()));
    // Skipped lines are said once, as a count above the events, not once per line.
    let skipped = (app.log_unreadable > 0).then(|| {
        let n = app.log_unreadable;
        Line::from(Span::styled(
            format!(
                "{n} line{} of the event log could not be read and {} skipped.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "was" } else { "were" }
            ),
            theme.warning(),
        ))
    });
    let room =
        (area.height.saturating_sub(1) as usize).saturating_sub(usize::from(skipped.is_some()));
    let events = app.visible_log().take(room).map(|line| {
        let event = &line.event;
        let account = fit(&printable(&event.account, Lines::One), ACCOUNT);
        let mut spans = vec![
            Span::styled(clock(event.time, &app.zone), theme.dim()),
            Span::raw(format!(
                "  {account:<ACCOUNT$} {:<16} ",
                event.trigger_label()
            )),
            Span::styled(event.outcome.label(), theme.outcome(event.outcome)),
        ];
        if let Some(at) = event.expires_at {
            spans.push(Span::styled(
                format!("  → expires {}", near_clock(at, event.time, &app.zone)),
                theme.dim(),
            ));
        }
        if line.other_process {
            spans.push(Span::styled(
                format!("  · another process (pid {})", event.pid),
                theme.dim(),
            ));
        }
        if let Some(message) = &event.message {
            spans.push(Span::styled(
                format!("  {}", printable(message, Lines::One)),
                theme.outcome(event.outcome),
            ));
        }
        // Cut where the pane ends, and say so.
        fit_line(Line::from(spans), usize::from(area.width))
    });
    let lines: Vec<Line> = skipped.into_iter().chain(events).collect();
    let body = if lines.is_empty() {
        Paragraph::new(Span::styled(
            "Nothing yet: links and refreshes appear here as they happen.",
            theme.dim(),
        ))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(body.block(block), area);
}
