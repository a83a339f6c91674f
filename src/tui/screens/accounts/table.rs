//! The accounts table: one row per account, columns sized to what they hold, the selection
//! always on screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::store::{Health, TimeLeft};
use crate::text::{Lines, printable};
use crate::time::relative;
use crate::tui::app::{AccountRow, App, Load};
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::{fit, wrap};
use crate::tui::words;

/// The NAME column's bounds: never narrower than its heading, never wider than this.
const NAME_MIN: usize = 8;
const NAME_MAX: usize = 32;
const PROVIDER_MAX: usize = 16;
/// `● needs re-link`
const STATUS: usize = 15;
/// The badge of a valid grant that cannot be refreshed; the column widens for it only where an
/// account shows it.
const NO_REFRESH_TOKEN: &str = "● no refresh token";
/// `expired 2h 06m ago`
const TIME_LEFT: usize = 18;
/// `✗ 11h 06m ago`
const LAST_REFRESH: usize = 14;
const IDENTITY_MAX: usize = 32;

const EMPTY: &str = "No accounts yet. Press a to add one (Verizon Personal Cloud, Google, Gmail, Microsoft, Microsoft 365 mail, GitHub, any OpenID Connect issuer, or custom endpoints).";

/// The most lines the broken file's error takes above the list read before it broke.
const BROKEN_LINES: usize = 4;

/// The rows the table would like, with its title and column names.
pub fn height_wanted(app: &App, width: u16) -> u16 {
    let body = match &app.load {
        Load::Reading => 1,
        Load::Failed(_) => 5,
        Load::Read if app.accounts.is_empty() => {
            (EMPTY.len() as u16).div_ceil(width.saturating_sub(2).max(1)) + 1
        }
        Load::Read => app.accounts.len().min(usize::from(u16::MAX)) as u16 + 1,
        Load::Broken(error) => {
            let above = broken(error, width).len() as u16;
            (app.accounts.len().min(usize::from(u16::MAX)) as u16 + 1).saturating_add(above)
        }
    };
    body.saturating_add(1)
}

/// What the table says above the list while the file is broken, wrapped to `width`.
fn broken(error: &str, width: u16) -> Vec<String> {
    let text = format!(
        "{}. Below: the list as last read, kept fresh until the file is mended.",
        error.trim_end_matches('.')
    );
    wrap(
        &printable(&text, Lines::One),
        usize::from(width),
        BROKEN_LINES,
    )
}

/// The width of each column that fits in `width`: the name sized to the longest name (within
/// bounds); the last refresh, then the provider, left out when even the shortest name would not
/// fit otherwise.
struct Columns {
    name: usize,
    status: usize,
    provider: Option<usize>,
    last_refresh: bool,
    /// Who each account is, when any says and there is room left: the first column to go.
    identity: Option<usize>,
}

impl Columns {
    fn fitting(app: &App, width: usize) -> Columns {
        let longest = |f: fn(&AccountRow) -> &str| {
            app.accounts
                .iter()
                .map(|r| f(r).chars().count())
                .max()
                .unwrap_or(0)
        };
        let name = longest(|r| &r.name).clamp(NAME_MIN, NAME_MAX);
        let provider = longest(|r| &r.account.kind).clamp("PROVIDER".len(), PROVIDER_MAX);
        let identity = longest(|r| r.status.identity.as_deref().unwrap_or(""));
        let identity = (identity > 0).then(|| identity.clamp("IDENTITY".len(), IDENTITY_MAX));
        let status = match app.accounts.iter().any(|r| cannot_refresh(app, r)) {
            true => NO_REFRESH_TOKEN.chars().count(),
            false => STATUS,
        };
        // Each column after the first takes one space before it.
        let fixed = status + 1 + TIME_LEFT + 1;
        let mut columns = Columns {
            name,
            status,
            provider: Some(provider),
            last_refresh: true,
            identity,
        };
        loop {
            let taken = fixed
                + columns.provider.map_or(0, |p| p + 1)
                + usize::from(columns.last_refresh) * (LAST_REFRESH + 1)
                + columns.identity.map_or(0, |w| w + 1);
            if taken + NAME_MIN <= width {
                columns.name = name.min(width - taken);
                return columns;
            }
            if columns.identity.is_some() {
                columns.identity = None;
            } else if columns.last_refresh {
                columns.last_refresh = false;
            } else if columns.provider.is_some() {
                columns.provider = None;
            } else {
                columns.name = width.saturating_sub(taken).max(4);
                return columns;
            }
        }
    }

    fn widths(&self) -> Vec<Constraint> {
        let mut widths = vec![Constraint::Length(self.name as u16)];
        widths.extend(self.provider.map(|p| Constraint::Length(p as u16)));
        widths.push(Constraint::Length(self.status as u16));
        widths.push(Constraint::Length(TIME_LEFT as u16));
        if self.last_refresh {
            widths.push(Constraint::Length(LAST_REFRESH as u16));
        }
        widths.extend(self.identity.map(|w| Constraint::Length(w as u16)));
        widths
    }

    /// One row's cells, each cut with "…" to its column.
    fn cells<'a>(&self, texts: [(String, Style); 6]) -> Vec<Cell<'a>> {
        let [name, provider, status, left, last, identity] = texts;
        let cell = |(text, style): (String, Style), width: usize| {
            Cell::from(Span::styled(fit(&text, width), style))
        };
        let mut cells = vec![cell(name, self.name)];
        if let Some(width) = self.provider {
            cells.push(cell(provider, width));
        }
        cells.push(cell(status, self.status));
        cells.push(cell(left, TIME_LEFT));
        if self.last_refresh {
            cells.push(cell(last, LAST_REFRESH));
        }
        if let Some(width) = self.identity {
            cells.push(cell(identity, width));
        }
        cells
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Accounts ", theme.title()));
    if app.load == Load::Reading {
        frame.render_widget(
            Paragraph::new(format!("{} reading the accounts…", spinner(app.spinner))).block(block),
            area,
        );
        return;
    }
    if let Load::Failed(error) = &app.load {
        let text = vec![
            Line::from(Span::styled(printable(error, Lines::One), theme.error())),
            Line::from(""),
            Line::from("tokendeck reads it again as soon as it changes."),
        ];
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    if app.accounts.is_empty() {
        frame.render_widget(
            Paragraph::new(EMPTY).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    // Only the rows that fit are built: a thousand accounts cost what a screenful does. The
    // selection is always among them.
    let above = match &app.load {
        Load::Broken(error) => broken(error, area.width),
        _ => Vec::new(),
    };
    let above_height = (above.len() as u16).min(area.height.saturating_sub(3));
    let visible = area.height.saturating_sub(2 + above_height).max(1) as usize;
    let first = app.selected.saturating_sub(visible - 1);
    let total = app.accounts.len();
    if total > visible {
        let last = (first + visible).min(total);
        block = block.title(
            Line::from(Span::styled(
                format!(" {}–{last} of {total} ", first + 1),
                theme.dim(),
            ))
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, area] =
        Layout::vertical([Constraint::Length(above_height), Constraint::Min(0)]).areas(inner);
    let lines: Vec<Line> = (above.into_iter())
        .map(|l| Line::from(Span::styled(l, theme.error())))
        .collect();
    frame.render_widget(Paragraph::new(lines), text);
    let columns = Columns::fitting(app, area.width as usize);
    let rows = app
        .accounts
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, row)| {
            let plain = Style::new();
            let cells = columns.cells([
                (printable(&row.name, Lines::One).into_owned(), plain),
                (printable(&row.account.kind, Lines::One).into_owned(), plain),
                badge(app, row),
                (TimeLeft::of(&row.status, app.now).label(), plain),
                (last_refresh(app, row), plain),
                (
                    printable(row.status.identity.as_deref().unwrap_or(""), Lines::One)
                        .into_owned(),
                    theme.dim(),
                ),
            ]);
            let line = Row::new(cells);
            if i == app.selected {
                line.style(theme.selected())
            } else {
                line
            }
        });
    let dim = theme.dim();
    let header = Row::new(columns.cells([
        ("NAME".into(), dim),
        ("PROVIDER".into(), dim),
        ("STATUS".into(), dim),
        ("TIME LEFT".into(), dim),
        ("LAST REFRESH".into(), dim),
        ("IDENTITY".into(), dim),
    ]));
    frame.render_widget(Table::new(rows, columns.widths()).header(header), area);
}

/// The status badge and its colour. A live grant without a refresh token says so: it dies with
/// its access token, whatever the time left says.
pub fn badge(app: &App, row: &AccountRow) -> (String, Style) {
    if row.refreshing {
        return (
            format!("{} refreshing", spinner(app.spinner)),
            app.theme.refreshing(),
        );
    }
    if cannot_refresh(app, row) {
        return (NO_REFRESH_TOKEN.into(), app.theme.warning());
    }
    let health = row.health(app.now);
    if row.relink_soon(app.now).is_some() {
        return (
            format!("● {}", words::RELINK_SOON_BADGE),
            app.theme.health(Health::Expiring),
        );
    }
    (format!("● {}", health.label()), app.theme.health(health))
}

/// Whether the account's grant is live but holds no refresh token (and no refresh is under way).
fn cannot_refresh(app: &App, row: &AccountRow) -> bool {
    !row.refreshing
        && row
            .status
            .token
            .as_ref()
            .is_some_and(|t| !t.has_refresh_token)
        && matches!(row.health(app.now), Health::Valid | Health::Expiring)
}

fn last_refresh(app: &App, row: &AccountRow) -> String {
    match &row.status.last_refresh {
        Some(last) if last.ok => relative(last.at, app.now),
        Some(last) => format!("✗ {}", relative(last.at, app.now)),
        None => "-".into(),
    }
}
