//! The key bindings, as one table: it decides what a key does and it writes the footer and the
//! help screen, so the two cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a key is pressed; each has its own bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Every screen, whatever else is on top (but quitting, which has its own).
    Anywhere,
    Accounts,
    /// The accounts screen with the details or the log focused (Tab): the moving keys scroll it,
    /// and the others act on the selected account as they do on the list.
    Pane,
    Add,
    /// The add form, filled in to change an account's settings.
    Edit,
    Link,
    /// Typing into the link screen's code field.
    LinkInput,
    /// The link screen after the link failed for good.
    LinkFailed,
    /// The link screen showing a device code (the device grant).
    LinkDevice,
    Confirm,
    Help,
    /// The inspect screen: what an account's tokens say.
    Inspect,
    /// Quitting, while the refreshes under way are let end (on whatever screen it began).
    Quitting,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Add,
    /// Change the selected account's settings.
    Edit,
    Link,
    Refresh,
    Test,
    Remove,
    Filter,
    ShowToken,
    Help,
    Back,
    Quit,
    Copy,
    OpenBrowser,
    Zoom,
    TypeCode,
    Submit,
    NextField,
    PrevField,
    PrevChoice,
    NextChoice,
    /// Switch a yes/no field (shared over ssh).
    Toggle,
    /// Empty the focused field.
    Clear,
    Confirm,
    DemoApprove,
    Restart,
    /// Open the inspect screen for the selected account.
    Inspect,
    /// Ask the provider's introspection endpoint (a network call, so only on request).
    Introspect,
    /// Read the stored tokens again.
    Reread,
    /// Link the other way: a device code instead of the authorization URL, or back.
    SwitchWay,
    /// Focus the next pane of the accounts screen (list, details, log), or the one before.
    NextPane,
    PrevPane,
}

#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the key is shown: `↑/k`, `Enter`.
    pub label: &'static str,
    pub action: Action,
    pub description: &'static str,
    /// The footer's short word for it; bindings without one show only in the help.
    pub footer: Option<&'static str>,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

/// One row of the table.
const fn bind(
    context: Context,
    keys: &'static [(KeyCode, KeyModifiers)],
    label: &'static str,
    action: Action,
    description: &'static str,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        context,
        keys,
        label,
        action,
        description,
        footer,
    }
}

use KeyCode::{
    BackTab, Char, Down, End, Enter, Esc, F, Home, Left, PageDown, PageUp, Right, Tab, Up,
};

#[rustfmt::skip]
pub static BINDINGS: &[Binding] = &[
    bind(Context::Anywhere, &[(Char('c'), CTRL)], "Ctrl-C", Action::Quit, "quit, from any screen (refreshes under way are let end first, as with q)", None),
    bind(Context::Accounts, &[(Char('a'), NONE)], "a", Action::Add, "add an account", Some("add")),
    bind(Context::Accounts, &[(Char('e'), NONE)], "e", Action::Edit, "edit the selected account's settings", None),
    bind(Context::Accounts, &[(Char('l'), NONE)], "l", Action::Link, "link or re-link the selected account", Some("link")),
    bind(Context::Accounts, &[(Char('r'), NONE)], "r", Action::Refresh, "refresh the selected account now", Some("refresh")),
    bind(Context::Accounts, &[(Char('t'), NONE)], "t", Action::Test, "test: call the account's API URL", Some("test")),
    bind(Context::Accounts, &[(Tab, NONE)], "Tab", Action::NextPane, "focus the details, then the log, to scroll them", Some("pane")),
    bind(Context::Accounts, &[(BackTab, SHIFT), (BackTab, NONE)], "S-Tab", Action::PrevPane, "focus the pane before", None),
    bind(Context::Accounts, &[(Char('s'), NONE)], "s", Action::ShowToken, "show or hide the current access token", Some("token")),
    bind(Context::Accounts, &[(Char('c'), NONE)], "c", Action::Copy, "copy the shown access token (OSC 52)", None),
    bind(Context::Accounts, &[(Char('d'), NONE)], "d", Action::Remove, "remove the selected account (asks first)", Some("remove")),
    bind(Context::Accounts, &[(Char('i'), NONE)], "i", Action::Inspect, "inspect the tokens: claims, signature, scopes", Some("inspect")),
    bind(Context::Accounts, &[(Char('f'), NONE)], "f", Action::Filter, "filter the log to the selected account", None),
    bind(Context::Accounts, &[(Down, NONE), (Char('j'), NONE)], "j/k", Action::Down, "move the selection: j or ↓ down, k or ↑ up", Some("move")),
    bind(Context::Accounts, &[(Up, NONE), (Char('k'), NONE)], "k/↑", Action::Up, "move the selection up", None),
    bind(Context::Accounts, &[(PageDown, NONE)], "PgDn", Action::PageDown, "a page down the list", None),
    bind(Context::Accounts, &[(PageUp, NONE)], "PgUp", Action::PageUp, "a page up the list", None),
    bind(Context::Accounts, &[(Home, NONE), (Char('g'), NONE)], "g/Home", Action::First, "the first account", None),
    bind(Context::Accounts, &[(End, NONE), (Char('G'), SHIFT), (Char('G'), NONE)], "G/End", Action::Last, "the last account", None),
    bind(Context::Accounts, &[(Char('?'), NONE), (F(1), NONE)], "?", Action::Help, "all key bindings", Some("help")),
    bind(Context::Accounts, &[(Char('q'), NONE)], "q", Action::Quit, "quit", Some("quit")),
    bind(Context::Pane, &[(Down, NONE), (Char('j'), NONE)], "j/k", Action::Down, "scroll the focused pane: j or ↓ down, k or ↑ up (the mouse wheel too)", Some("scroll")),
    bind(Context::Pane, &[(Up, NONE), (Char('k'), NONE)], "k/↑", Action::Up, "scroll up", None),
    bind(Context::Pane, &[(PageDown, NONE)], "PgDn", Action::PageDown, "a page down", None),
    bind(Context::Pane, &[(PageUp, NONE)], "PgUp", Action::PageUp, "a page up", None),
    bind(Context::Pane, &[(Home, NONE), (Char('g'), NONE)], "g/Home", Action::First, "the top (the log's newest line: it follows new lines there)", None),
    bind(Context::Pane, &[(End, NONE), (Char('G'), SHIFT), (Char('G'), NONE)], "G/End", Action::Last, "the bottom", None),
    bind(Context::Pane, &[(Tab, NONE)], "Tab", Action::NextPane, "focus the next pane", Some("pane")),
    bind(Context::Pane, &[(BackTab, SHIFT), (BackTab, NONE)], "S-Tab", Action::PrevPane, "focus the pane before", None),
    bind(Context::Pane, &[(Esc, NONE)], "Esc", Action::Back, "back to the list", Some("list")),
    bind(Context::Add, &[(Tab, NONE), (Down, NONE)], "Tab/↓", Action::NextField, "next field", Some("next field")),
    bind(Context::Add, &[(BackTab, SHIFT), (BackTab, NONE), (Up, NONE)], "S-Tab/↑", Action::PrevField, "previous field", None),
    bind(Context::Add, &[(Left, NONE)], "←", Action::PrevChoice, "previous provider (on the provider field)", None),
    bind(Context::Add, &[(Right, NONE)], "→", Action::NextChoice, "next provider (on the provider field)", Some("provider")),
    bind(Context::Add, &[(Char(' '), NONE)], "Space", Action::Toggle, "shared over ssh or not (on that field; ← → too)", None),
    bind(Context::Add, &[(Enter, NONE)], "Enter", Action::Submit, "add the account", Some("add")),
    bind(Context::Add, &[(F(1), NONE)], "F1", Action::Help, "all key bindings", Some("help")),
    bind(Context::Add, &[(Esc, NONE)], "Esc", Action::Back, "cancel", Some("cancel")),
    bind(Context::Edit, &[(Tab, NONE), (Down, NONE)], "Tab/↓", Action::NextField, "next field", Some("next field")),
    bind(Context::Edit, &[(BackTab, SHIFT), (BackTab, NONE), (Up, NONE)], "S-Tab/↑", Action::PrevField, "previous field", None),
    bind(Context::Edit, &[(Left, NONE), (Right, NONE), (Char(' '), NONE)], "←/→/Space", Action::Toggle, "shared over ssh or not (on that field)", None),
    bind(Context::Edit, &[(Enter, NONE)], "Enter", Action::Submit, "save the changes", Some("save")),
    bind(Context::Edit, &[(Char('u'), CTRL)], "Ctrl-U", Action::Clear, "clear the field (typing replaces a field's text until the caret moves)", Some("clear")),
    bind(Context::Edit, &[(F(1), NONE)], "F1", Action::Help, "all key bindings", Some("help")),
    bind(Context::Edit, &[(Esc, NONE)], "Esc", Action::Back, "cancel: nothing changes", Some("cancel")),
    bind(Context::Link, &[(Char('c'), NONE)], "c", Action::Copy, "copy the URL (OSC 52)", Some("copy URL")),
    bind(Context::Link, &[(Char('o'), NONE)], "o", Action::OpenBrowser, "open the URL in a browser", Some("open browser")),
    bind(Context::Link, &[(Char('d'), NONE)], "d", Action::SwitchWay, "link with a code on another device instead (when the provider offers it)", Some("device code")),
    bind(Context::Link, &[(Char('z'), NONE)], "z", Action::Zoom, "show the QR code alone", Some("QR only")),
    bind(Context::Link, &[(Tab, NONE), (Char('i'), NONE), (Char('p'), NONE)], "Tab", Action::TypeCode, "type or paste the code / redirect URL", Some("type/paste code")),
    bind(Context::Link, &[(Char('A'), SHIFT), (Char('A'), NONE)], "A", Action::DemoApprove, "demo only: approve as the demo user", None),
    bind(Context::Link, &[(Char('?'), NONE), (F(1), NONE)], "?", Action::Help, "all key bindings", Some("help")),
    bind(Context::Link, &[(Esc, NONE), (Char('q'), NONE)], "Esc", Action::Back, "back to the accounts", Some("back")),
    bind(Context::LinkDevice, &[(Char('c'), NONE)], "c", Action::Copy, "copy the URL (OSC 52)", Some("copy URL")),
    bind(Context::LinkDevice, &[(Char('o'), NONE)], "o", Action::OpenBrowser, "open the URL in a browser here", Some("open browser")),
    bind(Context::LinkDevice, &[(Char('d'), NONE)], "d", Action::SwitchWay, "link with the authorization URL instead", Some("use URL")),
    bind(Context::LinkDevice, &[(Char('z'), NONE)], "z", Action::Zoom, "show the QR code alone", Some("QR only")),
    bind(Context::LinkDevice, &[(Char('A'), SHIFT), (Char('A'), NONE)], "A", Action::DemoApprove, "demo only: approve as the demo user", None),
    bind(Context::LinkDevice, &[(Char('?'), NONE), (F(1), NONE)], "?", Action::Help, "all key bindings", Some("help")),
    bind(Context::LinkDevice, &[(Esc, NONE), (Char('q'), NONE)], "Esc", Action::Back, "back to the accounts", Some("back")),
    bind(Context::LinkFailed, &[(Char('r'), NONE), (Enter, NONE)], "r", Action::Restart, "start the link again", Some("start again")),
    bind(Context::LinkFailed, &[(Char('?'), NONE), (F(1), NONE)], "?", Action::Help, "all key bindings", Some("help")),
    bind(Context::LinkFailed, &[(Esc, NONE), (Char('q'), NONE)], "Esc", Action::Back, "back to the accounts", Some("back")),
    bind(Context::LinkInput, &[(Enter, NONE)], "Enter", Action::Submit, "use the pasted code or URL", Some("use it")),
    bind(Context::LinkInput, &[(Tab, NONE)], "Tab", Action::TypeCode, "leave the field", None),
    bind(Context::LinkInput, &[(Esc, NONE)], "Esc", Action::Back, "leave the field", Some("leave field")),
    bind(Context::LinkInput, &[(F(1), NONE)], "F1", Action::Help, "all key bindings", Some("help")),
    bind(Context::Confirm, &[(Char('y'), NONE), (Enter, NONE)], "y", Action::Confirm, "yes, do it", Some("yes")),
    bind(Context::Confirm, &[(Char('n'), NONE), (Esc, NONE)], "n/Esc", Action::Back, "no, keep it", Some("no")),
    bind(Context::Inspect, &[(Down, NONE), (Char('j'), NONE)], "j/k", Action::Down, "scroll: j or ↓ down, k or ↑ up", Some("scroll")),
    bind(Context::Inspect, &[(Up, NONE), (Char('k'), NONE)], "k/↑", Action::Up, "scroll up", None),
    bind(Context::Inspect, &[(PageDown, NONE), (Char(' '), NONE)], "PgDn", Action::PageDown, "a page down", None),
    bind(Context::Inspect, &[(PageUp, NONE)], "PgUp", Action::PageUp, "a page up", None),
    bind(Context::Inspect, &[(Home, NONE), (Char('g'), NONE)], "g/Home", Action::First, "the top", None),
    bind(Context::Inspect, &[(End, NONE), (Char('G'), SHIFT), (Char('G'), NONE)], "G/End", Action::Last, "the bottom", None),
    bind(Context::Inspect, &[(Char('i'), NONE)], "i", Action::Introspect, "ask the provider's introspection endpoint", Some("introspect")),
    bind(Context::Inspect, &[(Char('r'), NONE)], "r", Action::Reread, "read the stored tokens again", Some("reread")),
    bind(Context::Inspect, &[(Char('?'), NONE), (F(1), NONE)], "?", Action::Help, "all key bindings", Some("help")),
    bind(Context::Inspect, &[(Esc, NONE), (Char('q'), NONE)], "Esc", Action::Back, "back to the accounts", Some("back")),
    bind(Context::Help, &[(Up, NONE), (Char('k'), NONE)], "↑/k", Action::Up, "scroll up", Some("scroll")),
    bind(Context::Help, &[(Down, NONE), (Char('j'), NONE)], "↓/j", Action::Down, "scroll down", None),
    bind(Context::Help, &[(Esc, NONE), (Char('q'), NONE), (Char('?'), NONE), (F(1), NONE)], "Esc", Action::Back, "close the help", Some("close")),
    bind(Context::Quitting, &[(Char('q'), NONE), (Char('c'), CTRL)], "q/Ctrl-C", Action::Quit, "quit now, without waiting for the refreshes under way (they may be lost)", Some("quit now")),
];

/// Where a key not bound in `context` is looked up next: a focused pane passes what it does not
/// take itself to the accounts list.
fn falls_to(context: Context) -> Option<Context> {
    match context {
        Context::Pane => Some(Context::Accounts),
        _ => None,
    }
}

/// What `key` does in `context`, if anything.
pub fn action(context: Context, key: &KeyEvent) -> Option<Action> {
    let found = BINDINGS
        .iter()
        .filter(|b| b.context == context)
        .find(|b| b.keys.iter().any(|bound| matches(bound, key)))
        .map(|b| b.action);
    found.or_else(|| falls_to(context).and_then(|next| action(next, key)))
}

/// Whether `key` is the bound `(code, modifiers)`; a bound letter also answers with Shift held
/// (terminals disagree on whether an uppercase letter carries it).
fn matches((code, m): &(KeyCode, KeyModifiers), key: &KeyEvent) -> bool {
    let mods = key.modifiers & (CTRL | SHIFT | KeyModifiers::ALT);
    *code == key.code && (*m == mods || (matches!(code, Char(_)) && *m == NONE && mods == SHIFT))
}

/// The bindings that act in `context`, in table order: its own, then those it falls to that it
/// does not shadow with a key of its own.
pub fn bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    let own = BINDINGS.iter().filter(move |b| b.context == context);
    let shadowed = move |b: &Binding| {
        b.keys.iter().all(|k| {
            BINDINGS
                .iter()
                .any(|o| o.context == context && o.keys.contains(k))
        })
    };
    let next = falls_to(context);
    let fallen = BINDINGS
        .iter()
        .filter(move |b| Some(b.context) == next && !shadowed(b));
    own.chain(fallen)
}

/// The bindings of `context` alone, without those it falls to (the help lists each once).
pub fn own_bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.context == context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_contract_keys_do_what_the_issue_says() {
        let accounts = |c| action(Context::Accounts, &key(c));
        assert_eq!(accounts(Up), Some(Action::Up));
        assert_eq!(accounts(Char('j')), Some(Action::Down));
        assert_eq!(accounts(Char('a')), Some(Action::Add));
        assert_eq!(accounts(Char('e')), Some(Action::Edit));
        assert_eq!(accounts(Char('l')), Some(Action::Link));
        assert_eq!(accounts(Char('r')), Some(Action::Refresh));
        assert_eq!(accounts(Char('t')), Some(Action::Test));
        assert_eq!(accounts(Char('d')), Some(Action::Remove));
        assert_eq!(accounts(Char('f')), Some(Action::Filter));
        assert_eq!(accounts(Char('?')), Some(Action::Help));
        assert_eq!(accounts(Char('q')), Some(Action::Quit));
        assert_eq!(accounts(Char('x')), None);
        assert_eq!(action(Context::Link, &key(Char('c'))), Some(Action::Copy));
        assert_eq!(action(Context::Link, &key(Esc)), Some(Action::Back));
        assert_eq!(
            action(Context::Add, &key(Char('q'))),
            None,
            "typed into the form"
        );
        assert_eq!(
            action(Context::Anywhere, &KeyEvent::new(Char('c'), CTRL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn a_focused_pane_scrolls_with_the_moving_keys_and_passes_the_others_to_the_list() {
        assert_eq!(action(Context::Pane, &key(Char('j'))), Some(Action::Down));
        assert_eq!(action(Context::Pane, &key(Esc)), Some(Action::Back));
        assert_eq!(
            action(Context::Pane, &key(Char('r'))),
            Some(Action::Refresh)
        );
        let words: Vec<_> = bindings(Context::Pane).filter_map(|b| b.footer).collect();
        assert!(
            words.contains(&"scroll") && words.contains(&"refresh"),
            "{words:?}"
        );
        assert!(
            !words.contains(&"move"),
            "the list's moving keys scroll here: {words:?}"
        );
        assert_eq!(
            words.iter().filter(|w| **w == "pane").count(),
            1,
            "{words:?}"
        );
    }

    #[test]
    fn no_key_means_two_things_in_one_context() {
        for a in BINDINGS {
            for b in BINDINGS {
                if std::ptr::eq(a, b) || a.context != b.context {
                    continue;
                }
                for k in a.keys {
                    assert!(
                        !b.keys.contains(k),
                        "{:?} bound twice in {:?}",
                        k,
                        a.context
                    );
                }
            }
        }
    }
}
