//! The "Add account" form (or "Edit NAME", the same form filled in): the provider picker and its
//! fields, each error beside its own field (or, where the line has no room, right under it),
//! scrolled so the focused field shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{AddForm, Input};
use crate::text::{Lines, printable};
use crate::tui::app::App;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::{cells, one_line, wrap};

/// "› " and the longest label, padded.
const LABEL_CELLS: usize = 20;
/// The most lines an error under its field takes.
const ERROR_LINES: usize = 3;

pub fn render(app: &App, form: &AddForm, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let title = match form.editing() {
        // The name came from the accounts file.
        Some(name) => format!(" Edit {} ", one_line(&printable(name, Lines::One), 40)),
        None => " Add account ".to_string(),
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let value_cells = width.saturating_sub(LABEL_CELLS);
    let indent = " ".repeat(LABEL_CELLS);
    let focused = form.focused();
    let mut lines = Vec::new();
    let mut focus_lines = (0, 0);
    for input in form.inputs() {
        let is_focused = input == focused;
        let label_style = if is_focused {
            theme.focused()
        } else {
            theme.dim()
        };
        let marker = if is_focused { "›" } else { " " };
        let label = Span::styled(format!("{marker} {:<18}", input.label()), label_style);
        let (note, note_style): (Option<String>, Style) = match form.errors.get(&input) {
            Some(error) => (
                Some(printable(error, Lines::One).into_owned()),
                theme.error(),
            ),
            None if is_focused && !form.hint(input).is_empty() => {
                (Some(form.hint(input).to_string()), theme.dim())
            }
            None => (None, theme.dim()),
        };
        let is_error = form.errors.contains_key(&input);
        let value = |room: usize| match input {
            Input::Provider => {
                one_line(&format!("◀ {} ▶", form.choices[form.choice].label()), room)
            }
            Input::Shared => one_line(
                if form.shared {
                    "◀ yes ▶"
                } else {
                    "◀ no ▶"
                },
                room,
            ),
            _ => {
                let mask = (input == Input::ClientSecret).then_some('•');
                let empty = TextInput::default();
                let field = form.values.get(&input).unwrap_or(&empty);
                field.shown(room, mask, is_focused)
            }
        };
        // The note goes beside the value when both fit; an error that does not goes under it,
        // a hint that does not is left out.
        let whole = value(value_cells);
        // A text that typing replaces is shown as selected.
        let value_style = match is_focused && form.replacing {
            true => theme.selected(),
            false => Style::new(),
        };
        let first = lines.len();
        match note {
            Some(note) if cells(&whole) + 2 + cells(&note) <= value_cells => {
                // Beside an empty field the note starts where the value would.
                let gap = if whole.is_empty() { "" } else { "  " };
                lines.push(Line::from(vec![
                    label,
                    Span::styled(whole, value_style),
                    Span::styled(format!("{gap}{note}"), note_style),
                ]));
            }
            Some(note) if is_error => {
                lines.push(Line::from(vec![label, Span::styled(whole, value_style)]));
                for part in wrap(&note, value_cells, ERROR_LINES) {
                    lines.push(Line::from(vec![
                        Span::raw(indent.clone()),
                        Span::styled(part, note_style),
                    ]));
                }
            }
            _ => lines.push(Line::from(vec![label, Span::styled(whole, value_style)])),
        }
        if is_focused {
            focus_lines = (first, lines.len());
        }
    }
    lines.push(Line::from(""));
    if form.submitting {
        let doing = match form.editing() {
            Some(_) => "saving the changes",
            None => "adding the account",
        };
        lines.push(Line::from(format!("{} {doing}…", spinner(app.spinner))));
    } else {
        let advice = match form.editing() {
            Some(_) => {
                "Enter saves; Esc changes nothing. A new client ID, endpoint or scopes needs a new link (l) to be granted. F1 lists every key."
            }
            None if form.any_port() => {
                "Register tokendeck at the provider with the callback URL above, without its :0 (port 0: a free one at each link). Enter adds the account; link it next with l. F1 lists every key."
            }
            None => {
                "Register tokendeck at the provider with the callback URL above. Enter adds the account; link it next with l. F1 lists every key."
            }
        };
        for part in wrap(advice, width, usize::MAX) {
            lines.push(Line::from(Span::styled(part, theme.dim())));
        }
    }
    // The focused field and what is said about it stay on screen, however many fields there are.
    let height = inner.height as usize;
    let scroll = focus_lines.1.saturating_sub(height).min(focus_lines.0);
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
