//! The QR code widget: the half-block lines of `crate::qr`, in black and white whatever the
//! terminal's colours; and the code alone (`z` on both of the link screen's ways).

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::theme::Theme;

pub struct QrCode<'a> {
    lines: &'a [String],
    style: Style,
}

impl<'a> QrCode<'a> {
    /// A code already encoded by `crate::qr::half_blocks` (views draw, they do not encode).
    pub fn new(lines: &'a [String], style: Style) -> QrCode<'a> {
        QrCode { lines, style }
    }

    /// Columns and rows it needs.
    pub fn size(&self) -> (u16, u16) {
        let width = self.lines.first().map_or(0, |l| l.chars().count());
        (width as u16, self.lines.len() as u16)
    }
}

impl Widget for &QrCode<'_> {
    /// Drawn centred in `area`; drawn not at all where it would be cut (a cut code cannot scan).
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (width, height) = self.size();
        if width > area.width || height > area.height {
            return;
        }
        let x = area.x + (area.width - width) / 2;
        let y = area.y + (area.height - height) / 2;
        for (row, line) in self.lines.iter().enumerate() {
            buf.set_string(x, y + row as u16, line, self.style);
        }
    }
}

/// The code alone (`z`), as large as the area allows; or, where it does not fit, why and what to
/// do instead.
pub fn render_alone(theme: &Theme, qr: Option<&QrCode<'_>>, frame: &mut Frame, area: Rect) {
    match qr {
        Some(qr) if qr.size().0 <= area.width && qr.size().1 <= area.height => {
            frame.render_widget(qr, area)
        }
        Some(qr) => {
            let (w, h) = qr.size();
            let text = format!(
                "The QR code needs {w}×{h} characters; this screen has {}×{}. Enlarge the terminal (or make the font smaller), or press Esc and use the URL.",
                area.width, area.height
            );
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.warning())).wrap(Wrap { trim: true }),
                area,
            );
        }
        None => frame.render_widget(Paragraph::new("This URL is too long for a QR code."), area),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_centred_and_whole() {
        let lines = crate::qr::half_blocks("tokendeck").unwrap();
        let qr = QrCode::new(&lines, Style::new());
        assert_eq!(qr.size(), (29, 15));
        let mut buf = Buffer::empty(Rect::new(0, 0, 31, 15));
        (&qr).render(buf.area, &mut buf);
        let expected: Vec<String> = lines.iter().map(|l| format!(" {l} ")).collect();
        assert_eq!(buf, Buffer::with_lines(expected));
    }

    #[test]
    fn draws_nothing_rather_than_a_cut_code() {
        let lines = crate::qr::half_blocks("tokendeck").unwrap();
        let qr = QrCode::new(&lines, Style::new());
        let mut buf = Buffer::empty(Rect::new(0, 0, 28, 15));
        (&qr).render(buf.area, &mut buf);
        assert_eq!(buf, Buffer::empty(Rect::new(0, 0, 28, 15)));
    }
}
