//! The inspect screen's state: which account, the report once it has come, and how far it is
//! scrolled. The report is read once when the screen opens (`r` reads it again, `i` asks the
//! provider's introspection endpoint too).

pub(crate) mod keys;
pub(crate) mod update;
pub(crate) mod view;

use crate::inspect::Report;

#[derive(Debug)]
pub struct InspectScreen {
    pub name: String,
    pub report: Inspection,
    /// Whether the report on its way asks the provider's introspection endpoint.
    pub introspecting: bool,
    /// Lines scrolled down.
    pub scroll: u16,
}

#[derive(Debug)]
pub enum Inspection {
    Reading,
    Ready(Box<Report>),
    Failed(String),
}

impl InspectScreen {
    pub fn new(name: &str) -> InspectScreen {
        InspectScreen {
            name: name.to_string(),
            report: Inspection::Reading,
            introspecting: false,
            scroll: 0,
        }
    }

    /// Waiting for a report.
    pub fn busy(&self) -> bool {
        matches!(self.report, Inspection::Reading) || self.introspecting
    }
}
