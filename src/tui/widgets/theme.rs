//! Every style by name, so views never pick colours themselves. `NO_COLOR` keeps only bold,
//! reverse and dim.

use ratatui::style::{Color, Modifier, Style};

use crate::store::{Health, Outcome};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub fn colored() -> Theme {
        Theme { color: true }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn focused(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn health(&self, health: Health) -> Style {
        match health {
            Health::Valid => self.fg(Color::Green),
            Health::Expiring => self.fg(Color::Yellow),
            Health::Expired => self.fg(Color::Red),
            Health::NeedsRelink => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            Health::Unsaved => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Health::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Health::NotLinked => self.dim(),
        }
    }

    pub fn refreshing(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn outcome(&self, outcome: Outcome) -> Style {
        match outcome {
            Outcome::Ok => self.fg(Color::Green),
            Outcome::Adopted => self.fg(Color::Cyan),
            Outcome::Failed => self.fg(Color::Red),
        }
    }

    /// QR codes need real black and white, whatever the terminal's colours; without colour,
    /// the terminal's own foreground is the light part.
    pub fn qr(&self) -> Style {
        if self.color {
            Style::new().fg(Color::White).bg(Color::Black)
        } else {
            Style::new()
        }
    }
}
