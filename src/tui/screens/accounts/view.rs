//! The home screen: the accounts table with live countdowns, the selected account's details
//! (beside the table on a wide terminal, below it on a narrow one), and the live refresh log.
//! Heights go where there is something to show: the table to its rows (at most half the screen),
//! the details to their rows, most important first, and the log to the rest — yielding when it
//! has little to say.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{details, log, table};
use crate::text::{Lines, printable};
use crate::tui::app::{App, KeyringState};
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::fit_line;

/// Wide enough to put the details beside the whole table.
const WIDE: u16 = 140;
/// The table's least height: its title, the column names and two rows.
const TABLE_MIN: u16 = 4;
/// The log's lines when space is short.
const LOG_MIN: usize = 2;

/// Where each part of the home screen goes, and the details laid out for their pane.
pub struct Panes {
    header: Rect,
    table: Rect,
    pub details: Rect,
    pub details_lines: details::Details,
    pub log: Rect,
}

/// The home screen's layout in `area`: a pure function of the state, which the keys use too (to
/// know how far a page of a pane goes) so that they scroll what the view will draw.
pub fn panes(app: &App, area: Rect) -> Panes {
    let [header, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let table_want = table::height_wanted(app, area.width);
    // A long list takes half the screen: what `App::page` moves by.
    let mut table_height = table_want.min((rest.height / 2).max(3));
    let mut log_min = log::height_min(app, LOG_MIN);
    if area.width >= WIDE {
        let details_width = (area.width * 2 / 5).max(56);
        let details = details::lines(app, details_width);
        if details.must_show() > 0 {
            log_min = 0;
        }
        let top = table_height
            .max(details.height())
            .min(rest.height.saturating_sub(log_min));
        let [top, log] =
            Layout::vertical([Constraint::Length(top), Constraint::Min(0)]).areas(rest);
        // A column apart, so the table's last cell never touches the details.
        let [table, _, details_area] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(details_width),
        ])
        .areas(top);
        Panes {
            header,
            table,
            details: details_area,
            details_lines: details,
            log,
        }
    } else {
        let details = details::lines(app, area.width);
        // A token the user asked to see is shown whole: the log, then the table, make room.
        let must = details.must_show();
        if must > 0 {
            log_min = 0;
            let room = rest.height.saturating_sub(must);
            table_height = table_height.min(room).max(table_want.min(TABLE_MIN));
        }
        let room = rest.height.saturating_sub(table_height + log_min);
        let [table, details_area, log] = Layout::vertical([
            Constraint::Length(table_height),
            Constraint::Length(details.height().min(room)),
            Constraint::Min(0),
        ])
        .areas(rest);
        Panes {
            header,
            table,
            details: details_area,
            details_lines: details,
            log,
        }
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let panes = panes(app, area);
    render_header(app, frame, panes.header);
    table::render(app, frame, panes.table);
    details::render(app, &panes.details_lines, frame, panes.details);
    log::render(app, frame, panes.log);
}

fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut spans = vec![
        Span::styled("tokendeck", theme.title()),
        Span::raw(format!(
            "  {} account{}",
            app.accounts.len(),
            if app.accounts.len() == 1 { "" } else { "s" }
        )),
    ];
    if app.demo {
        spans.push(Span::styled("  DEMO", theme.warning()));
    }
    spans.push(match &app.keyring {
        KeyringState::Opening => Span::styled(
            format!("  {} opening the keyring…", spinner(app.spinner)),
            theme.dim(),
        ),
        KeyringState::Ready {
            backend,
            warning: None,
        } => Span::styled(format!("  keyring: {backend}"), theme.dim()),
        KeyringState::Ready {
            backend,
            warning: Some(_),
        } => Span::styled(
            format!("  keyring: {backend} (lost at reboot)"),
            theme.warning(),
        ),
        KeyringState::Failed(e) => Span::styled(
            format!("  keyring: {}", printable(e, Lines::One)),
            theme.error(),
        ),
    });
    // Last: the first to go when the header is cut.
    if let Some(daemon) = app.daemon {
        let text = match daemon.pid {
            Some(pid) => format!("  daemon: pid {pid}"),
            None => "  daemon: running".into(),
        };
        spans.push(Span::styled(text, theme.dim()));
    }
    let line = fit_line(Line::from(spans), usize::from(area.width));
    frame.render_widget(Paragraph::new(line), area);
}
