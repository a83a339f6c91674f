//! The help overlay: every binding, written from the keymap table, the screen the user is on
//! first; scrolled when it is taller than the terminal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::app::App;
use crate::tui::keymap::{self, Action, Context};
use crate::tui::widgets::centered;
use crate::tui::widgets::input::EDITING_KEYS;
use crate::tui::widgets::wrap::{cells, wrap};

/// "  " and a key's label, padded: where a binding's description starts.
const KEY_CELLS: usize = 12;

pub fn render(app: &App, current: Context, scroll: u16, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    // A section's title (key `None`), or a binding: its key and what it does.
    let mut rows: Vec<(Option<String>, String)> = Vec::new();
    let mut sections = vec![
        (Context::Anywhere, "Every screen"),
        (Context::Accounts, "Accounts"),
        (
            Context::Pane,
            "Accounts: the details or the log focused (Tab)",
        ),
        (Context::Add, "Add account"),
        (Context::Edit, "Edit account"),
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
        rows.push((None, format!("{title}{marker}")));
        for binding in keymap::own_bindings(context) {
            if binding.action == Action::DemoApprove && !app.demo {
                continue;
            }
            rows.push((
                Some(binding.label.to_string()),
                binding.description.to_string(),
            ));
        }
        // The form's fields and the code field edit as a shell line does.
        if matches!(context, Context::Add | Context::Edit | Context::LinkInput) {
            // A key the context binds itself (the editor's Ctrl-U clears the whole field) is
            // told once, as the context's.
            let bound = |key: &str| keymap::bindings(context).any(|b| b.label == key);
            for (key, description) in EDITING_KEYS.iter().filter(|(key, _)| !bound(key)) {
                rows.push((Some(key.to_string()), description.to_string()));
            }
        }
    }
    // As wide as its longest row (and its borders), as far as the terminal allows; where it
    // does not allow, a description wraps under itself rather than being cut.
    let widest = rows
        .iter()
        .map(|(key, text)| cells(text) + if key.is_some() { KEY_CELLS } else { 0 })
        .max()
        .unwrap_or(0);
    let inner = (widest.max(40) + 2)
        .min(area.width as usize)
        .saturating_sub(2);
    let mut lines = Vec::new();
    for (key, text) in rows {
        let Some(key) = key else {
            lines.push(Line::from(Span::styled(text, theme.title())));
            continue;
        };
        let parts = wrap(&text, inner.saturating_sub(KEY_CELLS).max(10), usize::MAX);
        for (i, part) in parts.into_iter().enumerate() {
            let key = if i == 0 { key.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<10}"), theme.key()),
                Span::raw(part),
            ]));
        }
    }
    let total = lines.len() as u16;
    let area = centered(area, inner as u16 + 2, total + 2);
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
