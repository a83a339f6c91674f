//! The link screen: the authorization URL as wrapped text and as a QR code, where the browser is
//! awaited, the field that takes a pasted code or redirect URL, and what went wrong, in words.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::link::LinkWay;
use crate::text::{Lines, printable};
use crate::tui::app::{App, LinkPhase, LinkScreen};
use crate::tui::widgets::qr::{self, QrCode};
use crate::tui::widgets::spinner;

pub fn render(app: &App, link: &LinkScreen, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let block = Block::new().borders(Borders::TOP).title(Span::styled(
        format!(" Link {} ", printable(&link.account, Lines::One)),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let LinkPhase::Device(code) = &link.phase {
        super::device::render(app, link, code, frame, inner);
        return;
    }
    let what = match link.way {
        LinkWay::Device => "asking the provider for a device code…",
        LinkWay::Loopback | LinkWay::Paste => "preparing the authorization URL…",
    };
    let Some(url) = link.url() else {
        let lines = match (&link.phase, &link.error) {
            (LinkPhase::Failed, error) => vec![
                Line::from(Span::styled(
                    printable(error.as_deref().unwrap_or("The link failed."), Lines::One),
                    theme.error(),
                )),
                Line::from(""),
                Line::from("Press r to start the link again, or Esc to go back."),
            ],
            (_, Some(error)) => vec![
                Line::from(format!("{} {what}", spinner(app.spinner))),
                Line::from(Span::styled(printable(error, Lines::One), theme.error())),
            ],
            (_, None) => vec![Line::from(format!("{} {what}", spinner(app.spinner)))],
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        return;
    };
    let qr = link
        .qr_lines(url)
        .map(|lines| QrCode::new(lines, theme.qr()));
    if link.zoom {
        qr::render_alone(theme, qr.as_ref(), frame, inner);
        return;
    }
    let qr_size = qr.as_ref().map(QrCode::size);
    let beside = qr_size.filter(|(w, h)| inner.width >= w + 44 && inner.height >= *h);
    let (text_area, qr_area) = match beside {
        Some((w, _)) => {
            let [text, code] =
                Layout::horizontal([Constraint::Min(40), Constraint::Length(w + 2)]).areas(inner);
            (text, Some(code))
        }
        None => (inner, None),
    };
    let mut lines = vec![
        Line::from(Span::styled(
            "Open this URL in a browser and approve access:",
            theme.dim(),
        )),
        Line::from(printable(url, Lines::One)),
        Line::from(""),
    ];
    match (&link.phase, link.listening) {
        (LinkPhase::Exchanging { .. }, _) => lines.push(Line::from(format!(
            "{} exchanging the code for tokens…",
            spinner(app.spinner)
        ))),
        (_, Some(addr)) => lines.push(Line::from(Span::styled(
            format!(
                "Waiting for the browser on {addr} — or paste what the provider returned below."
            ),
            theme.focused(),
        ))),
        _ => lines.push(Line::from(
            "Then paste the code, or the whole address the browser lands on, below.",
        )),
    }
    if link.copied {
        lines.push(Line::from(Span::styled(
            "Copied to the clipboard (OSC 52).",
            theme.good(),
        )));
    }
    match (qr_size, qr_area) {
        (Some(_), Some(_)) => {}
        (Some((w, h)), None) => lines.push(Line::from(Span::styled(
            format!("The QR code needs {w}×{h} and does not fit here; z shows it alone (on a terminal at least {}×{}).", w, h + 2),
            theme.dim(),
        ))),
        (None, _) => lines.push(Line::from(Span::styled("This URL is too long for a QR code.", theme.dim()))),
    }
    lines.push(Line::from(""));
    let field_style = if link.typing {
        theme.focused()
    } else {
        theme.dim()
    };
    let label = "Code or redirect URL: ";
    let room = (text_area.width as usize).saturating_sub(label.chars().count());
    let shown = if link.input.is_empty() && !link.typing {
        "(Tab to type, or just paste)".to_string()
    } else {
        // Scrolled so the caret shows: a pasted redirect URL is longer than any screen.
        link.input.shown(room, None, link.typing)
    };
    lines.push(Line::from(vec![
        Span::styled(label, field_style),
        Span::raw(shown),
    ]));
    let text_area = super::error::render(app, link.error.as_deref(), &lines, frame, text_area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    if let (Some(qr), Some(area)) = (&qr, qr_area) {
        frame.render_widget(qr, area);
    }
}
