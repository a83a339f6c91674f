//! The footer: the keys that work here, written from the keymap table (the help screen is written
//! from the same table), so that what the footer says and what the keys do cannot drift apart.

use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::wrap::cells;
use crate::tui::keymap::{self, Action, Context};

/// One key in the footer.
struct FooterEntry {
    label: &'static str,
    word: &'static str,
    /// Help, quit and back: the ways out, shown whatever else must go.
    essential: bool,
}

impl FooterEntry {
    fn cells(&self) -> usize {
        cells(self.label) + 1 + cells(self.word) + 2
    }
}

/// The keys of `context` that act now (`acts`), in the table's order, in at most `width` cells.
/// When they do not all fit, whole entries go, least important first (the table's last), and
/// help, quit and back stay. `demo` adds the demo's approve key to the link screen's.
pub fn footer(
    context: Context,
    acts: impl Fn(Action) -> bool,
    demo: bool,
    theme: &Theme,
    width: usize,
) -> Line<'static> {
    let mut entries: Vec<FooterEntry> = keymap::bindings(context)
        .filter(|binding| acts(binding.action))
        .filter_map(|binding| {
            binding.footer.map(|word| FooterEntry {
                label: binding.label,
                word,
                essential: matches!(binding.action, Action::Help | Action::Quit | Action::Back),
            })
        })
        .collect();
    // In the demo, approving is how the link completes: next after the ways out.
    let demo =
        (matches!(context, Context::Link | Context::LinkDevice) && demo).then_some(FooterEntry {
            label: "A",
            word: "demo: approve",
            essential: false,
        });
    let mut keep: Vec<bool> = entries.iter().map(|_| true).collect();
    let mut keep_demo = demo.is_some();
    let total = |keep: &[bool], keep_demo: bool| {
        entries
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(e, _)| e.cells())
            .sum::<usize>()
            + demo
                .as_ref()
                .filter(|_| keep_demo)
                .map_or(0, FooterEntry::cells)
    };
    for i in (0..entries.len()).rev() {
        if total(&keep, keep_demo) <= width + 2 {
            break;
        }
        if !entries[i].essential {
            keep[i] = false;
        }
    }
    if total(&keep, keep_demo) > width + 2 {
        keep_demo = false;
    }
    if keep_demo && let Some(demo) = demo {
        entries.push(demo);
        keep.push(true);
    }
    let mut spans = Vec::new();
    for (entry, _) in entries.iter().zip(&keep).filter(|(_, k)| **k) {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(entry.label, theme.key()));
        spans.push(Span::raw(format!(" {}", entry.word)));
    }
    Line::from(spans)
}
