//! The home screen: the accounts table with live countdowns, the selected account's details
//! (beside the table on a wide terminal, below it on a narrow one), and the live refresh log.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::spinner;
use crate::format::{clock, relative};
use crate::store::{Health, TimeLeft};
use crate::text::{Lines, printable};
use crate::tui::app::{AccountRow, App, KeyringState, Load};

/// Wide enough to put the details beside the table.
const WIDE: u16 = 120;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let [header, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    render_header(app, frame, header);
    let rows = if matches!(app.load, Load::Failed(_)) {
        5
    } else {
        app.accounts.len() as u16
    };
    let table_height = (rows + 3).clamp(4, rest.height / 2);
    if area.width >= WIDE {
        let [top, log] =
            Layout::vertical([Constraint::Length(table_height.max(14)), Constraint::Min(4)])
                .areas(rest);
        let [table, details] =
            Layout::horizontal([Constraint::Min(60), Constraint::Length(56)]).areas(top);
        render_table(app, frame, table);
        render_details(app, frame, details);
        render_log(app, frame, log);
    } else {
        let [table, details, log] = Layout::vertical([
            Constraint::Length(table_height),
            Constraint::Length(6),
            Constraint::Min(3),
        ])
        .areas(rest);
        render_table(app, frame, table);
        render_details(app, frame, details);
        render_log(app, frame, log);
    }
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
    match &app.keyring {
        KeyringState::Opening => spans.push(Span::styled(
            format!("  {} opening the keyring…", spinner(app)),
            theme.dim(),
        )),
        KeyringState::Ready {
            backend,
            warning: None,
        } => spans.push(Span::styled(format!("  keyring: {backend}"), theme.dim())),
        KeyringState::Ready {
            backend,
            warning: Some(_),
        } => spans.push(Span::styled(
            format!("  keyring: {backend} (lost at reboot)"),
            theme.warning(),
        )),
        KeyringState::Failed(e) => spans.push(Span::styled(
            format!("  keyring: {}", printable(e, Lines::One)),
            theme.error(),
        )),
    }
    if app.demo {
        spans.push(Span::styled("  DEMO", theme.warning()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_table(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Accounts ", theme.title()));
    if app.load == Load::Reading {
        frame.render_widget(
            Paragraph::new(format!("{} reading the accounts…", spinner(app))).block(block),
            area,
        );
        return;
    }
    if let Load::Failed(error) = &app.load {
        let text = vec![
            Line::from(Span::styled(printable(error, Lines::One), theme.error())),
            Line::from(""),
            Line::from("tokendeck reads it again as soon as it changes."),
        ];
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    if app.accounts.is_empty() {
        let text = "No accounts yet. Press a to add one (Verizon Personal Cloud, Google, Microsoft, GitHub, any OpenID Connect issuer, or custom endpoints).";
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    // Only the rows that fit are built: a thousand accounts cost what a screenful does.
    let visible = area.height.saturating_sub(2).max(1) as usize;
    let first = app.selected.saturating_sub(visible - 1);
    let rows = app
        .accounts
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, row)| {
            let (badge, style) = badge(app, row);
            let cells = vec![
                Cell::from(printable(&row.name, Lines::One)),
                Cell::from(printable(&row.account.kind, Lines::One)),
                Cell::from(Span::styled(badge, style)),
                Cell::from(TimeLeft::of(&row.status, app.now).label()),
                Cell::from(last_refresh(app, row)),
            ];
            let line = Row::new(cells);
            if i == app.selected {
                line.style(theme.selected())
            } else {
                line
            }
        });
    let widths = [
        Constraint::Min(10),
        Constraint::Length(9),
        Constraint::Length(15),
        Constraint::Length(18),
        Constraint::Length(14),
    ];
    let header =
        Row::new(["NAME", "PROVIDER", "STATUS", "TIME LEFT", "LAST REFRESH"]).style(theme.dim());
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

/// The status badge and its colour.
pub fn badge(app: &App, row: &AccountRow) -> (String, ratatui::style::Style) {
    if row.refreshing {
        return (
            format!("{} refreshing", spinner(app)),
            app.theme.refreshing(),
        );
    }
    let health = row.health(app.now);
    (format!("● {}", health.label()), app.theme.health(health))
}

fn last_refresh(app: &App, row: &AccountRow) -> String {
    match &row.status.last_refresh {
        Some(last) if last.ok => relative(last.at, app.now),
        Some(last) => format!("✗ {}", relative(last.at, app.now)),
        None => "-".into(),
    }
}

fn render_details(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Details ", theme.title()));
    let Some(row) = app.selected_row() else {
        frame.render_widget(block, area);
        return;
    };
    // Every value here came from the accounts file, the provider or the status file.
    let field = |label: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<14}"), theme.dim()),
            Span::raw(printable(&value, Lines::One).into_owned()),
        ])
    };
    let account = &row.account;
    let token = row.status.token.as_ref();
    let token_text = match &app.revealed {
        Some((name, token)) if *name == row.name => token.secret().to_string(),
        _ if token.is_some() => "•••••••• (s shows it)".into(),
        _ => "-".into(),
    };
    let backend = match &app.keyring {
        KeyringState::Ready { backend, .. } => backend.to_string(),
        KeyringState::Opening => "…".into(),
        KeyringState::Failed(_) => "unavailable".into(),
    };
    let mut lines = vec![
        field("token URL", account.provider.token_endpoint().to_string()),
        field("client id", account.client_id.clone()),
        field("callback", account.redirect_uri.clone()),
        field(
            "scopes",
            token
                .and_then(|t| t.scope.clone())
                .unwrap_or_else(|| account.scopes.join(" ")),
        ),
        field("access token", token_text),
        field(
            "refresh token",
            token.map_or("-".into(), |t| {
                if t.has_refresh_token {
                    "held".into()
                } else {
                    "none".into()
                }
            }),
        ),
        field(
            "token type",
            token.map_or("-".into(), |t| t.token_type.clone()),
        ),
        field(
            "obtained",
            token.map_or("-".into(), |t| format!("{} UTC", clock(t.obtained_at))),
        ),
        field(
            "expires",
            token.and_then(|t| t.expires_at).map_or("-".into(), |at| {
                format!("{} UTC ({})", clock(at), relative(at, app.now))
            }),
        ),
        field("last refresh", last_outcome(row)),
        field("keyring", backend),
        field(
            "authorize URL",
            account.provider.authorization_endpoint().to_string(),
        ),
    ];
    let banner = match row.health(app.now) {
        Health::NeedsRelink => Some("Needs re-link: press l."),
        Health::Unsaved => Some(UNSAVED),
        _ if row.status.unsaved_since.is_some() => Some(UNSAVED_LOST),
        _ => None,
    };
    if let Some(banner) = banner {
        let style = theme.health(row.health(app.now));
        lines.insert(0, Line::from(Span::styled(banner, style)));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Said wherever an account holds tokens the keyring has not taken yet.
pub const UNSAVED: &str =
    "Tokens not saved — keyring unavailable: tokendeck holds them and keeps trying.";
/// Said when the process that held them has ended.
pub const UNSAVED_LOST: &str =
    "The last refresh's tokens were never saved: if refreshing fails, press l.";

fn last_outcome(row: &AccountRow) -> String {
    match &row.status.last_refresh {
        Some(last) if last.ok => "ok".into(),
        Some(last) => format!(
            "failed: {}",
            last.error.as_deref().unwrap_or("unknown error")
        ),
        None => "never".into(),
    }
}

fn render_log(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let title = match (app.log_filter, app.selected_row()) {
        (true, Some(row)) => format!(
            " Live log — {} only (f: all) · UTC ",
            printable(&row.name, Lines::One)
        ),
        _ => " Live log · UTC ".to_string(),
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
        let mut spans = vec![
            Span::styled(clock(event.time), theme.dim()),
            Span::raw(format!(
                "  {:<12} {:<16} ",
                printable(&event.account, Lines::One),
                event.trigger.label()
            )),
            Span::styled(event.outcome.label(), theme.outcome(event.outcome)),
        ];
        if let Some(at) = event.expires_at {
            spans.push(Span::styled(
                format!("  → expires {}", clock(at)),
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
        Line::from(spans)
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
