//! The device view of the link screen: the user code, large and unmistakable; the URL to open on
//! any device, as text on one line (never split, so that it can be selected) and as a QR code
//! beside it; a countdown to the code's expiry; and the wait for the approval.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::text::{Lines, printable};
use crate::time::{seconds_left, short_duration};
use crate::tui::app::{App, DeviceCode, LinkScreen};
use crate::tui::widgets::qr::{self, QrCode};
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::cells;

/// The narrowest the text beside the QR code may be.
const TEXT_MIN: u16 = 36;

pub fn render(app: &App, link: &LinkScreen, code: &DeviceCode, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let qr = link
        .qr_lines(&code.url)
        .map(|lines| QrCode::new(lines, theme.qr()));
    if link.zoom {
        qr::render_alone(theme, qr.as_ref(), frame, area);
        return;
    }
    let qr_size = qr.as_ref().map(QrCode::size);
    let url = printable(&code.url, Lines::One);
    let head = vec![
        Line::from(Span::styled(
            "On any device (a phone can scan the code), open:",
            theme.dim(),
        )),
        Line::from(Span::styled(url.clone(), theme.focused())),
    ];
    // The URL stays whole on one line, so that it can be selected and copied: beside the QR code
    // when it fits there, else across the screen above it (or, with no room for the QR code, as
    // the first lines of the text).
    let (head_area, text_area, qr_area) = match qr_size {
        Some((w, h)) if area.width >= w + 1 + TEXT_MIN => {
            let text_width = usize::from(area.width - w - 1);
            let above = cells(&url) > text_width;
            let head_rows = if above { head.len() as u16 } else { 0 };
            if area.height >= h + head_rows {
                let [head_area, below] =
                    Layout::vertical([Constraint::Length(head_rows), Constraint::Min(0)])
                        .areas(area);
                let [text, qr] =
                    Layout::horizontal([Constraint::Min(TEXT_MIN), Constraint::Length(w + 1)])
                        .areas(below);
                // Level with the text it belongs to, not floating in the middle of a tall screen.
                (
                    above.then_some(head_area),
                    text,
                    Some(Rect { height: h, ..qr }),
                )
            } else {
                (None, area, None)
            }
        }
        _ => (None, area, None),
    };
    let user_code = printable(&code.user_code, Lines::One);
    let mut lines = match head_area {
        Some(_) => Vec::new(),
        None => head.clone(),
    };
    lines.extend([
        Line::from(""),
        Line::from(Span::styled(
            match code.complete {
                true => "Check that the page shows this code, and approve:",
                false => "Enter this code there, and approve:",
            },
            theme.dim(),
        )),
    ]);
    lines.extend(
        big_code(&user_code)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.title().add_modifier(Modifier::BOLD)))),
    );
    let left = seconds_left(code.expires_at, app.now);
    lines.push(Line::from(""));
    lines.push(Line::from(match left {
        0 => Span::styled("The code has expired.", theme.error()),
        left => Span::raw(format!(
            "{} waiting for the approval · the code expires in {}",
            spinner(app.spinner),
            short_duration(left)
        )),
    }));
    if link.copied {
        lines.push(Line::from(Span::styled(
            "Copied to the clipboard (OSC 52).",
            theme.good(),
        )));
    }
    if let (Some((w, h)), None) = (qr_size, qr_area) {
        lines.push(Line::from(Span::styled(
            format!("The QR code needs {w}×{h}: z shows it alone."),
            theme.dim(),
        )));
    }
    let text_area = super::error::render(app, link.error.as_deref(), &lines, frame, text_area);
    if let Some(head_area) = head_area {
        frame.render_widget(Paragraph::new(head), head_area);
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    if let (Some(qr), Some(area)) = (&qr, qr_area) {
        frame.render_widget(qr, area);
    }
}

/// The code in a box, its characters spaced apart so that none can be misread for its neighbour.
fn big_code(code: &str) -> [String; 3] {
    let spaced: String = code
        .chars()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let width = spaced.chars().count() + 4;
    [
        format!("┏{}┓", "━".repeat(width)),
        format!("┃  {spaced}  ┃"),
        format!("┗{}┛", "━".repeat(width)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_boxed_and_spaced() {
        let [top, middle, bottom] = big_code("WDJB-MJHT");
        assert_eq!(middle, "┃  W D J B - M J H T  ┃");
        assert_eq!(top.chars().count(), middle.chars().count());
        assert_eq!(bottom.chars().count(), middle.chars().count());
    }
}
