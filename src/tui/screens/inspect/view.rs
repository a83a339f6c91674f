//! The inspect screen: the report's sections, labelled rows with long values wrapped beside their
//! label, scrolled by the user; the title says where the view is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::inspect::{Tone, sections};
use crate::text::{Lines, printable};
use crate::tui::app::{App, InspectScreen, Inspection};
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::wrap;

/// The labels' column, at most: a longer claim name is cut to it.
const LABEL: usize = 14;

pub fn render(app: &App, screen: &InspectScreen, frame: &mut Frame, area: Rect) {
    let name = printable(&screen.name, Lines::One);
    let lines = lines(app, screen, area.width.saturating_sub(1) as usize);
    let room = area.height.saturating_sub(1) as usize;
    let scroll = usize::from(screen.scroll).min(lines.len().saturating_sub(room));
    let position = match lines.len() > room {
        true => format!(
            " · lines {}–{} of {}",
            scroll + 1,
            (scroll + room).min(lines.len()),
            lines.len()
        ),
        false => String::new(),
    };
    let title = format!(" Inspect: {name}{position} ");
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(title, app.theme.title()));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(room).collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

fn lines(app: &App, screen: &InspectScreen, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let report = match &screen.report {
        Inspection::Reading => {
            return vec![Line::from(format!(
                "{} reading the stored tokens and the provider's keys…",
                spinner(app.spinner)
            ))];
        }
        Inspection::Failed(error) => {
            return wrap(&printable(error, Lines::One), width, 8)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, theme.error())))
                .collect();
        }
        Inspection::Ready(report) => report,
    };
    let hint = match screen.introspecting {
        true => format!("{} asking the provider…", spinner(app.spinner)),
        false => "press i".to_string(),
    };
    let sections = sections(report, app.now, &app.zone, &hint);
    let label = sections
        .iter()
        .flat_map(|s| &s.rows)
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(LABEL);
    let value_width = width.saturating_sub(label + 3).max(8);
    let mut lines = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            section.title.clone(),
            theme.title(),
        )));
        for row in &section.rows {
            let style = match row.tone {
                Tone::Plain => Style::default(),
                Tone::Good => theme.good(),
                Tone::Warning => theme.warning(),
                Tone::Bad => theme.error(),
            };
            let label_text: String = row.label.chars().take(label).collect();
            let mut parts = wrap(&row.value, value_width, usize::MAX);
            if parts.is_empty() {
                parts.push(String::new()); // an empty claim still has its label
            }
            for (n, part) in parts.into_iter().enumerate() {
                let left = match n {
                    0 => format!(" {label_text:<label$}  "),
                    _ => " ".repeat(label + 3),
                };
                lines.push(Line::from(vec![
                    Span::styled(left, theme.dim()),
                    Span::styled(part, style),
                ]));
            }
        }
    }
    lines
}
