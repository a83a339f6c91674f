//! The QR code widget: the half-block lines of `crate::qr`, in black and white whatever the
//! terminal's colours.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

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
