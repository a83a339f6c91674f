//! Views: pure functions from `&App` to a frame, one file per screen. They draw and decide
//! nothing.

mod accounts;
mod add;
mod help;
mod link;
pub mod qr;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, NoticeKind, Overlay, Screen};
use super::keymap::{self, Context};
use crate::text::{Lines, printable};

/// Below this, nothing fits sensibly; the screen says so instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The terminal is {}×{}; tokendeck needs at least {MIN_WIDTH}×{MIN_HEIGHT}. Enlarge it, or press q to quit.",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    // A long notice (an error with its advice) gets a second line rather than being cut.
    let notice_lines = match &app.notice {
        Some(n) if printable(&n.text, Lines::One).chars().count() > area.width as usize => 2,
        _ => 1,
    };
    let [body, status, footer] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(notice_lines),
        Constraint::Length(1),
    ])
    .areas(area);
    let context = match &app.screen {
        Screen::Accounts => {
            accounts::render(app, frame, body);
            Context::Accounts
        }
        Screen::Add(form) => {
            add::render(app, form, frame, body);
            Context::Add
        }
        Screen::Link(link) => {
            link::render(app, link, frame, body);
            if link.phase == super::app::LinkPhase::Failed {
                Context::LinkFailed
            } else if link.typing {
                Context::LinkInput
            } else {
                Context::Link
            }
        }
    };
    render_status(app, frame, status);
    let context = match &app.overlay {
        Some(Overlay::Help(scroll)) => {
            help::render_help(app, context, *scroll, frame, body);
            Context::Help
        }
        Some(Overlay::ConfirmRemove(name)) => {
            help::render_confirm(app, name, frame, body);
            Context::Confirm
        }
        None => context,
    };
    render_footer(app, context, frame, footer);
}

/// The notice line: the latest outcome of something the user did.
fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let Some(notice) = &app.notice else {
        return;
    };
    let style = match notice.kind {
        NoticeKind::Info => app.theme.dim(),
        NoticeKind::Good => app.theme.good(),
        NoticeKind::Error => app.theme.error(),
    };
    // Notices quote errors and API answers: the provider's words, escaped.
    frame.render_widget(
        Paragraph::new(Span::styled(printable(&notice.text, Lines::One), style)),
        area,
    );
}

/// The keys that work here, from the keymap table.
fn render_footer(app: &App, context: Context, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for binding in keymap::bindings(context) {
        let Some(word) = binding.footer else { continue };
        spans.push(Span::styled(binding.label, app.theme.key()));
        spans.push(Span::raw(format!(" {word}  ")));
    }
    if context == Context::Link && app.demo {
        spans.push(Span::styled("A", app.theme.key()));
        spans.push(Span::raw(" demo: approve  "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub(super) fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}
