//! Overlays: the help screen (every binding, from the keymap table) and the confirmation asked
//! before anything destructive.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::text::{Lines, printable};
use crate::tui::app::App;
use crate::tui::keymap::{self, Action, Context};
use crate::tui::widgets::input::EDITING_KEYS;

pub fn render_help(app: &App, current: Context, scroll: u16, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let mut sections = vec![
        (Context::Accounts, "Accounts"),
        (Context::Add, "Add account"),
        (Context::Link, "Link"),
        (Context::LinkInput, "Link: typing the code"),
        (Context::LinkDevice, "Link: with a code on another device"),
        (Context::LinkFailed, "Link: after it failed"),
        (Context::Inspect, "Inspect"),
        (Context::Confirm, "Confirmation"),
        (Context::Help, "This help"),
    ];
    // Where the user is comes first.
    sections.sort_by_key(|(context, _)| *context != current);
    for (context, title) in sections {
        let marker = if context == current { " (here)" } else { "" };
        lines.push(Line::from(Span::styled(
            format!("{title}{marker}"),
            theme.title(),
        )));
        for binding in keymap::bindings(context) {
            if binding.action == Action::DemoApprove && !app.demo {
                continue;
            }
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10}", binding.label), theme.key()),
                Span::raw(binding.description),
            ]));
        }
        // The form's fields and the code field edit as a shell line does.
        if matches!(context, Context::Add | Context::LinkInput) {
            for (key, description) in EDITING_KEYS {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {key:<10}"), theme.key()),
                    Span::raw(*description),
                ]));
            }
        }
    }
    let total = lines.len() as u16;
    let area = centered(area, 64, total + 2);
    let scroll = scroll.min(total.saturating_sub(area.height.saturating_sub(2)));
    let more = if total + 2 > area.height {
        " ↑/↓ scroll ·"
    } else {
        ""
    };
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" Keys —{more} Esc closes "));
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)).block(block), area);
}

pub fn render_confirm(app: &App, name: &str, frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::from(format!("Remove {}?", printable(name, Lines::One))),
        Line::from(""),
        Line::from(
            "Its tokens and client secret are deleted from the keyring, and it leaves the accounts file.",
        ),
        Line::from(revocation_note(app, name)),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", app.theme.key()),
            Span::raw(" remove   "),
            Span::styled("n/Esc", app.theme.key()),
            Span::raw(" keep"),
        ]),
    ];
    let area = centered(area, 56, 11);
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" Remove account ", app.theme.error()));
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

/// What removing `name` does at the provider.
fn revocation_note(app: &App, name: &str) -> &'static str {
    let row = app.accounts.iter().find(|r| r.name == name);
    match row {
        Some(r) if r.account.provider.revocation_endpoint().is_some() => {
            "Its grant is revoked at the provider first."
        }
        _ => {
            "The provider has no revocation endpoint: the grant stays valid there until it expires."
        }
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
