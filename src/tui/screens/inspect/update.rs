//! The inspect screen opens on an account and asks for its report; the report (or why there is
//! none) arrives for the screen that asked.

use super::{InspectScreen, Inspection};
use crate::app::AccountError;
use crate::inspect::Report;
use crate::tui::app::{App, Screen};
use crate::tui::message::Effect;
use crate::tui::words::{self, Shown};

/// `i` on the accounts screen: the inspect screen for `name`, its stored tokens read at once (the
/// provider is asked only on request).
pub(crate) fn open(app: &mut App, name: String) -> Vec<Effect> {
    app.notice = None;
    app.screen = Screen::Inspect(InspectScreen::new(&name));
    vec![Effect::Inspect {
        name,
        introspect: false,
    }]
}

/// `name`'s report. One for a screen since left (or another account's) is dropped.
pub(crate) fn inspected(
    app: &mut App,
    name: &str,
    report: Result<Box<Report>, AccountError>,
) -> Vec<Effect> {
    if let Screen::Inspect(screen) = &mut app.screen
        && screen.name == name
    {
        screen.introspecting = false;
        screen.report = match report {
            Ok(report) => Inspection::Ready(report),
            Err(error) => Inspection::Failed(words::account_error(&error, Shown::OverAccounts)),
        };
    }
    Vec::new()
}
