//! Views: pure functions from `&App` to a frame, one file per screen. They draw and decide
//! nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, NoticeKind, Overlay, Screen, Stopping};
use super::keymap::{self, Action, Context};
use super::screens::{accounts, add, help, inspect, link};
use super::widgets::wrap;
use crate::text::{Lines, printable};

/// Below this, nothing fits sensibly; the screen says so instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The most lines a notice takes from the screen; beyond them it ends in "…".
const NOTICE_LINES: usize = 3;

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
    // A long notice (an error with its advice) takes the lines it needs rather than being cut.
    let notice = status_text(app).map_or_else(Vec::new, |(text, _)| {
        wrap::wrap(
            &printable(&text, Lines::One),
            area.width as usize,
            NOTICE_LINES,
        )
    });
    let [body, status, footer] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(notice.len().max(1) as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    let context = match &app.screen {
        Screen::Accounts => {
            accounts::view::render(app, frame, body);
            Context::Accounts
        }
        Screen::Add(form) => {
            add::view::render(app, form, frame, body);
            Context::Add
        }
        Screen::Link(link) => {
            link::view::render(app, link, frame, body);
            keymap::link_context(link)
        }
        Screen::Inspect(screen) => {
            inspect::view::render(app, screen, frame, body);
            Context::Inspect
        }
    };
    render_status(app, notice, frame, status);
    let context = match &app.overlay {
        Some(Overlay::Help(scroll)) => {
            help::view::render_help(app, context, *scroll, frame, body);
            Context::Help
        }
        Some(Overlay::ConfirmRemove(name)) => {
            help::view::render_confirm(app, name, frame, body);
            Context::Confirm
        }
        None => context,
    };
    render_footer(app, context, frame, footer);
}

/// What the status line says: while quitting waits for refreshes, which and how to quit at
/// once; otherwise the notice.
fn status_text(app: &App) -> Option<(String, NoticeKind)> {
    if let Some(Stopping::Waiting { accounts, patience }) = &app.stopping {
        let (refreshes, it) = match accounts.as_slice() {
            [one] => (format!("{one}'s refresh"), "it"),
            [rest @ .., last] => (
                format!("the refreshes of {} and {last}", rest.join(", ")),
                "them",
            ),
            [] => ("the refreshes".into(), "them"),
        };
        let text = format!(
            "{} Quitting: waiting for {refreshes} to be stored (up to {} s). Press q or Ctrl-C again to quit now and lose {it}.",
            spinner(app),
            patience.as_secs()
        );
        return Some((text, NoticeKind::Info));
    }
    app.notice.as_ref().map(|n| (n.text.clone(), n.kind))
}

/// The status line: the latest outcome of something the user did, already wrapped to the screen.
fn render_status(app: &App, lines: Vec<String>, frame: &mut Frame, area: Rect) {
    let Some((_, kind)) = status_text(app) else {
        return;
    };
    let style = match kind {
        NoticeKind::Info => app.theme.dim(),
        NoticeKind::Good => app.theme.good(),
        NoticeKind::Error => app.theme.error(),
    };
    // Notices quote errors and API answers: the provider's words, escaped (before wrapping).
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// One key in the footer.
struct FooterEntry {
    label: &'static str,
    word: &'static str,
    /// Help, quit and back: the ways out, shown whatever else must go.
    essential: bool,
}

impl FooterEntry {
    fn cells(&self) -> usize {
        wrap::cells(self.label) + 1 + wrap::cells(self.word) + 2
    }
}

/// The keys that work here, from the keymap table, in its order. When they do not all fit,
/// whole entries go, least important first (the table's last), and help, quit and back stay.
fn render_footer(app: &App, context: Context, frame: &mut Frame, area: Rect) {
    let context = match app.stopping {
        Some(_) => Context::Quitting,
        None => context,
    };
    let mut entries: Vec<FooterEntry> = keymap::bindings(context)
        .filter_map(|binding| {
            binding.footer.map(|word| FooterEntry {
                label: binding.label,
                word,
                essential: matches!(binding.action, Action::Help | Action::Quit | Action::Back),
            })
        })
        .collect();
    // In the demo, approving is how the link completes: next after the ways out.
    let demo = (matches!(context, Context::Link | Context::LinkDevice) && app.demo).then_some(
        FooterEntry {
            label: "A",
            word: "demo: approve",
            essential: false,
        },
    );
    let mut keep: Vec<bool> = entries.iter().map(|_| true).collect();
    let mut keep_demo = demo.is_some();
    let width = area.width as usize;
    let total = |keep: &[bool], keep_demo: bool| {
        entries
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(e, _)| e.cells())
            .sum::<usize>()
            + demo
                .as_ref()
                .filter(|_| keep_demo)
                .map_or(0, FooterEntry::cells)
    };
    for i in (0..entries.len()).rev() {
        if total(&keep, keep_demo) <= width + 2 {
            break;
        }
        if !entries[i].essential {
            keep[i] = false;
        }
    }
    if total(&keep, keep_demo) > width + 2 {
        keep_demo = false;
    }
    if keep_demo && let Some(demo) = demo {
        entries.push(demo);
        keep.push(true);
    }
    let mut spans = Vec::new();
    for (entry, _) in entries.iter().zip(&keep).filter(|(_, k)| **k) {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(entry.label, app.theme.key()));
        spans.push(Span::raw(format!(" {}", entry.word)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub(crate) fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}
