//! The selected account's details, the rows that matter most first: its state, when its token
//! expires, how the last refresh went, whether a refresh token is held, the token itself when
//! asked for, and then where it comes from. When they do not all fit, the pane scrolls (Tab
//! focuses it) and its title says which lines show.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::table::badge;
use crate::store::Health;
use crate::text::{Lines, printable};
use crate::time::{near, relative};
use crate::tui::app::{AccountRow, App, KeyringState, Pane};
use crate::tui::widgets::scroll;
use crate::tui::widgets::wrap::fit;
use crate::tui::words;

/// Said wherever an account holds tokens the keyring has not taken yet.
pub const UNSAVED: &str =
    "Tokens not saved — keyring unavailable: tokendeck holds them and keeps trying.";
/// Said when the process that held them has ended.
pub const UNSAVED_LOST: &str =
    "The last refresh's tokens were never saved: if refreshing fails, press l.";

/// The labels' column.
const LABEL: usize = 14;
/// A failed refresh's error takes at most this many lines.
const ERROR_LINES: usize = 3;

/// The details, laid out for a pane `width` columns wide.
pub struct Details {
    title: String,
    lines: Vec<Line<'static>>,
    /// The rows through the end of a token the user asked to see, if one is shown.
    token_end: Option<usize>,
}

impl Details {
    /// The rows it would like, with its title; none without an account.
    pub fn height(&self) -> u16 {
        match self.lines.len() {
            0 => 0,
            n => (n + 1).min(usize::from(u16::MAX)) as u16,
        }
    }

    /// How many lines there are to scroll through.
    pub fn total(&self) -> usize {
        self.lines.len()
    }

    /// The rows needed to show all of a token the user asked to see (with the title); 0 when
    /// none is shown.
    pub fn must_show(&self) -> u16 {
        self.token_end
            .map_or(0, |end| (end + 1).min(usize::from(u16::MAX)) as u16)
    }
}

pub fn lines(app: &App, width: u16) -> Details {
    let Some(row) = app.selected_row() else {
        return Details {
            title: " Details ".into(),
            lines: Vec::new(),
            token_end: None,
        };
    };
    let width = usize::from(width);
    let theme = &app.theme;
    let value_width = width.saturating_sub(LABEL);
    // Every value here came from the accounts file, the provider or the status file.
    let field = |label: &str, value: &str, style: Style| {
        Line::from(vec![
            Span::styled(format!("{label:<LABEL$}"), theme.dim()),
            Span::styled(fit(&printable(value, Lines::One), value_width), style),
        ])
    };
    let plain = Style::new();
    let mut lines = Vec::new();
    let health = row.health(app.now);
    let banner = match health {
        Health::NeedsRelink => Some("Needs re-link: press l.".to_string()),
        Health::Unsaved => Some(UNSAVED.to_string()),
        _ if row.status.unsaved_since.is_some() => Some(UNSAVED_LOST.to_string()),
        _ => row
            .relink_soon(app.now)
            .map(|f| words::relink_soon(&relative(f.dies_at, app.now))),
    };
    if let Some(banner) = banner {
        lines.push(Line::from(Span::styled(
            fit(&banner, width),
            theme.health(health),
        )));
    }
    let (badge, style) = badge(app, row);
    let state = match row.status.retry_label(app.now) {
        Some(retry) => format!("{badge} · {retry}"),
        None => badge,
    };
    lines.push(field("status", &state, style));
    let identity = row
        .status
        .identity
        .as_ref()
        .map(|who| field("identity", &printable(who, Lines::One), plain));
    let revealing = app.revealed.as_ref().is_some_and(|r| r.name == row.name);
    // Who the account is comes second — unless its token is shown, which then needs the room.
    if !revealing {
        lines.extend(identity.clone());
    }
    let token = row.status.token.as_ref();
    let expires = match token {
        None => "-".into(),
        Some(t) => t.expires_at.map_or("no expiry".into(), |at| {
            format!(
                "{} ({})",
                near(at, app.now, &app.zone),
                relative(at, app.now)
            )
        }),
    };
    lines.push(field("expires", &expires, plain));
    lines.extend(last_refresh(app, row, value_width));
    let refresh_token = match token {
        Some(t) if t.has_refresh_token => "held",
        Some(_) => "none: when it expires, press l",
        None => "-",
    };
    lines.push(field("refresh token", refresh_token, plain));
    let token_lines = access_token(app, row, width);
    let token_end = (token_lines.len() > 1).then(|| lines.len() + token_lines.len());
    lines.extend(token_lines);
    if revealing {
        lines.extend(identity);
    }
    if let Some(forecast) = row.forecast() {
        let ends = format!(
            "{} ({}) · {}",
            near(forecast.dies_at, app.now, &app.zone),
            relative(forecast.dies_at, app.now),
            words::forecast_source(&forecast.source)
        );
        lines.push(field("grant ends", &ends, plain));
    }
    let account = &row.account;
    let scopes = token
        .and_then(|t| t.scope.clone())
        .unwrap_or_else(|| account.scopes.join(" "));
    lines.push(field("scopes", &scopes, plain));
    let obtained = token.map_or("-".into(), |t| near(t.obtained_at, app.now, &app.zone));
    lines.push(field("obtained", &obtained, plain));
    lines.push(field(
        "token URL",
        account.provider.token_endpoint().as_ref(),
        plain,
    ));
    lines.push(field(
        "authorize URL",
        account.provider.authorization_endpoint().as_ref(),
        plain,
    ));
    if account.shared {
        // Only when it is: the row says what sharing hands out, and where.
        lines.push(field(
            "shared",
            "over ssh: share.sock (daemon --share) hands out its access tokens",
            plain,
        ));
    }
    lines.push(field("client id", &account.client_id, plain));
    lines.push(field("callback", &account.redirect_uri, plain));
    let token_type = token.map_or("-", |t| t.token_type.as_str());
    lines.push(field("token type", token_type, plain));
    let backend = match &app.keyring {
        KeyringState::Ready { backend, .. } => backend.to_string(),
        KeyringState::Opening => "…".into(),
        KeyringState::Failed(_) => "unavailable".into(),
    };
    lines.push(field("keyring", &backend, plain));
    let name = printable(&row.name, Lines::One);
    Details {
        title: format!(" Details: {} ", fit(&name, width.saturating_sub(24).max(8))),
        lines,
        token_end,
    }
}

/// How the last refresh went; a failure's error wrapped below it (up to three lines).
fn last_refresh(app: &App, row: &AccountRow, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let label = Span::styled(format!("{:<LABEL$}", "last refresh"), theme.dim());
    let Some(last) = &row.status.last_refresh else {
        return vec![Line::from(vec![label, Span::raw("never")])];
    };
    let when = relative(last.at, app.now);
    if last.ok {
        return vec![Line::from(vec![
            label,
            Span::raw(fit(&format!("{when}: ok"), width)),
        ])];
    }
    let error = last.error.as_deref().unwrap_or("unknown error");
    let text = format!("{when}: failed: {}", printable(error, Lines::One));
    let chars: Vec<char> = text.chars().collect();
    let mut chunks: Vec<String> = chars
        .chunks(width.max(1))
        .take(ERROR_LINES)
        .map(|chunk| chunk.iter().collect())
        .collect();
    if chars.len() > width.max(1) * ERROR_LINES
        && let Some(last) = chunks.last_mut()
    {
        last.pop();
        last.push('…');
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let lead = match i {
                0 => label.clone(),
                _ => Span::raw(" ".repeat(LABEL)),
            };
            Line::from(vec![lead, Span::styled(chunk, theme.error())])
        })
        .collect()
}

/// The access token: masked; or, when asked for, the current one in full, wrapped to the pane.
fn access_token(app: &App, row: &AccountRow, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let label = Span::styled(format!("{:<LABEL$}", "access token"), theme.dim());
    let revealed = app.revealed.as_ref().filter(|r| r.name == row.name);
    match (revealed, &row.status.token) {
        (Some(revealed), _) => match &revealed.token {
            None => vec![Line::from(vec![
                label,
                Span::styled("reading it from the keyring…", theme.dim()),
            ])],
            Some(token) => {
                let mut lines = vec![Line::from(vec![
                    label,
                    Span::styled("c copies it · s hides it", theme.dim()),
                ])];
                // The whole token, from the pane's first column, so that it can be selected.
                let shown = printable(token.secret(), Lines::One);
                let chars: Vec<char> = shown.chars().collect();
                lines.extend(
                    chars
                        .chunks(width.max(1))
                        .map(|chunk| Line::from(chunk.iter().collect::<String>())),
                );
                lines
            }
        },
        (None, Some(_)) => vec![Line::from(vec![label, Span::raw("•••••••• (s shows it)")])],
        (None, None) => vec![Line::from(vec![label, Span::raw("-")])],
    }
}

pub fn render(app: &App, details: &Details, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let room = usize::from(area.height.saturating_sub(1));
    let total = details.lines.len();
    let offset = scroll::clamp(app.details_scroll, room, total);
    let focused = app.focus == Pane::Details;
    let mut block = Block::new().borders(Borders::TOP).title(scroll::title(
        details.title.clone(),
        focused,
        theme,
    ));
    if let Some(position) = scroll::position(offset, room, total) {
        block = block
            .title(Line::from(Span::styled(format!(" {position} "), theme.dim())).right_aligned());
    }
    let lines: Vec<Line> = details
        .lines
        .iter()
        .skip(offset)
        .take(room)
        .cloned()
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
