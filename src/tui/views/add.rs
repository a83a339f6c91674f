//! The "Add account" form: the provider picker and its fields, errors beside them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::spinner;
use crate::text::{Lines, printable};
use crate::tui::app::App;
use crate::tui::form::{AddForm, Input};

pub fn render(app: &App, form: &AddForm, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Add account ", theme.title()));
    let focused = form.focused();
    let mut lines = Vec::new();
    for input in form.inputs() {
        let is_focused = input == focused;
        let label_style = if is_focused {
            theme.focused()
        } else {
            theme.dim()
        };
        let marker = if is_focused { "›" } else { " " };
        let value = match input {
            Input::Provider => format!("◀ {} ▶", form.choices[form.choice].label()),
            Input::ClientSecret => "•".repeat(form.value(input).chars().count()),
            _ => printable(form.value(input), Lines::One).into_owned(),
        };
        let mut spans = vec![
            Span::styled(format!("{marker} {:<18}", input.label()), label_style),
            Span::raw(value),
        ];
        if is_focused && input != Input::Provider {
            spans.push(Span::styled("▏", theme.focused()));
        }
        match form.errors.get(&input) {
            Some(error) => spans.push(Span::styled(
                format!("  {}", printable(error, Lines::One)),
                theme.error(),
            )),
            None if is_focused && !input.hint().is_empty() => {
                spans.push(Span::styled(format!("  {}", input.hint()), theme.dim()))
            }
            None => {}
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if form.submitting {
        lines.push(Line::from(format!("{} adding the account…", spinner(app))));
    } else {
        lines.push(Line::from(Span::styled(
            "Register tokendeck at the provider with the callback URL above. Enter adds the account; link it next with l.",
            theme.dim(),
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
