//! The views' router: pure functions from `&App` to a frame, which draw and decide nothing. The
//! screen draws the body, an overlay goes over it, the status line says the latest notice, and
//! the footer the keys of whatever is on top (from the keymap table).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, NoticeKind, Overlay, Pane, Screen};
use super::keymap::{Action, Context};
use super::layout;
use super::screens::{accounts, add, confirm_remove, help, inspect, link};
use super::widgets::footer::footer;

/// Below this, nothing fits sensibly; the screen says so instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

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
    // A long notice (an error with its advice) takes the lines it needs rather than being cut.
    let notice = layout::notice_lines(app, area);
    let [body, status, footer_area] = layout::split(area, notice.len());
    let context = match &app.screen {
        Screen::Accounts => {
            accounts::view::render(app, frame, body);
            match app.focus {
                Pane::List => Context::Accounts,
                Pane::Details | Pane::Log => Context::Pane,
            }
        }
        Screen::Add(form) => {
            add::view::render(app, form, frame, body);
            form.context()
        }
        Screen::Link(link) => {
            link::view::render(app, link, frame, body);
            link.context()
        }
        Screen::Inspect(screen) => {
            inspect::view::render(app, screen, frame, body);
            Context::Inspect
        }
    };
    render_status(app, notice, frame, status);
    let context = match &app.overlay {
        Some(Overlay::Help(scroll)) => {
            help::view::render(app, context, *scroll, frame, body);
            Context::Help
        }
        Some(Overlay::ConfirmRemove(name)) => {
            confirm_remove::view::render(app, name, frame, body);
            Context::Confirm
        }
        None => context,
    };
    // Quitting's keys work on whatever screen it began.
    let context = match app.stopping {
        Some(_) => Context::Quitting,
        None => context,
    };
    let keys = footer(
        context,
        |action| acts(app, context, action),
        app.demo,
        &app.theme,
        footer_area.width as usize,
    );
    frame.render_widget(Paragraph::new(keys), footer_area);
}

/// Whether `action` does something in `context` as the app is now: the footer shows only those
/// keys (a key that would only explain why not stays out of it, and in the help).
fn acts(app: &App, context: Context, action: Action) -> bool {
    match context {
        Context::Accounts | Context::Pane => accounts::keys::acts(app, context, action),
        Context::Link | Context::LinkDevice => match &app.screen {
            Screen::Link(screen) => link::keys::acts(app, screen, action),
            _ => true,
        },
        _ => true,
    }
}

/// The status line: the latest outcome of something the user did, already wrapped to the screen.
fn render_status(app: &App, lines: Vec<String>, frame: &mut Frame, area: Rect) {
    let Some((_, kind)) = layout::status_text(app) else {
        return;
    };
    let style = match kind {
        NoticeKind::Info => app.theme.dim(),
        NoticeKind::Good => app.theme.good(),
        NoticeKind::Warning => app.theme.warning(),
        NoticeKind::Error => app.theme.error(),
    };
    // Notices quote errors and API answers: the provider's words, escaped (before wrapping).
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
