//! The confirmation asked before an account is removed: what goes, and what becomes of the grant
//! at the provider.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::text::{Lines, printable};
use crate::tui::app::App;
use crate::tui::widgets::centered;

pub fn render(app: &App, name: &str, frame: &mut Frame, area: Rect) {
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
