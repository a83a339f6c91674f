//! The live log: every link and refresh, by this process or another, newest first. At its top it
//! follows new lines; scrolled down (Tab focuses it), it holds still and says which lines show.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::text::{Lines, printable};
use crate::time::{clock, near_clock, zone_abbreviation};
use crate::tui::app::{App, Pane};
use crate::tui::widgets::scroll;
use crate::tui::widgets::wrap::{cells, fit, fit_line};

/// The account column, wide enough for most names; longer ones are cut with "…".
const ACCOUNT: usize = 12;

/// The rows the log keeps when space is short: its title and up to `lines` of what it has to
/// show (at least one line, which says when there is nothing yet).
pub fn height_min(app: &App, lines: usize) -> u16 {
    let shown = app.visible_log().take(lines).count() + usize::from(app.log_unreadable > 0);
    (shown.clamp(1, lines) + 1) as u16
}

/// How many lines the log has to scroll through, and how many its pane of `height` rows shows.
pub fn extent(app: &App, height: u16) -> (usize, usize) {
    let room =
        usize::from(height.saturating_sub(1)).saturating_sub(usize::from(app.log_unreadable > 0));
    (app.visible_log().count(), room)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let (total, room) = extent(app, area.height);
    let offset = scroll::clamp(app.log_scroll, room, total);
    let position = scroll::position(offset, room, total);
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
    // The position first: the hint about f goes when both do not fit.
    let wanted = cells(&title) + position.as_ref().map_or(0, |p| cells(p) + 6);
    let title = match wanted > usize::from(area.width) && !app.log_filter {
        true => format!(" Live log · {zone} "),
        false => title,
    };
    let mut block = Block::new().borders(Borders::TOP).title(scroll::title(
        title,
        app.focus == Pane::Log,
        theme,
    ));
    if let Some(position) = position {
        block = block
            .title(Line::from(Span::styled(format!(" {position} "), theme.dim())).right_aligned());
    }
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
    let events = app.visible_log().skip(offset).take(room).map(|line| {
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
