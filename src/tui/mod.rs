//! The terminal UI, in The Elm Architecture with effects: [`update`](update::update) changes the
//! [`App`](app::App) and returns effects, the [`Runner`](effects::Runner) performs them and sends
//! back messages, and views draw the state. One `select!` over the terminal's events, the message
//! channel and a tick that runs only while something on screen moves; every pending message is
//! applied before one draw.
//!
//! A screen keeps its parts together in `screens/<screen>/`: its state, its keys, its update and
//! its view. Around them: the state they share ([`app`]), the messages and effects, one keymap
//! table (keys, footer and help), the two routers ([`update`] and [`views`]), the widgets, and
//! the TUI's words for the application's outcomes and errors ([`words`]).

pub mod app;
pub mod effects;
pub mod keymap;
pub mod layout;
pub mod message;
mod quitting;
pub mod screens;
pub mod update;
pub mod views;
pub mod widgets;
pub mod words;

use std::io;
use std::sync::Arc;
use std::time::SystemTime;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind,
};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use app::App;
use effects::{DemoBrowser, Runner};
use message::Message;

use crate::app::engine;
use crate::store::Store;

/// How the TUI starts.
#[derive(Default)]
pub struct Options {
    /// Demo mode: the link screen can approve as the demo user.
    pub demo: Option<DemoBrowser>,
}

/// Runs the TUI on the real terminal until the user quits; the terminal is restored on every
/// way out (quit, error, panic, SIGINT, SIGTERM, SIGHUP) — as far as there is still a terminal:
/// after a SIGHUP there may be none, and failing to restore it must not stop what follows (a
/// demo's cleanup, refreshes to store).
pub async fn run(store: Arc<Store>, options: Options) -> io::Result<()> {
    let mut terminal = enter()?;
    let _ = crossterm::execute!(io::stdout(), EnableBracketedPaste);
    let _ = alternate_scroll(true);
    let result = run_on(&mut terminal, store, options, EventStream::new()).await;
    let _ = alternate_scroll(false);
    let _ = crossterm::execute!(io::stdout(), DisableBracketedPaste);
    leave(terminal);
    result
}

/// The mouse wheel as ↑/↓ (xterm's alternate scroll mode, DECSET 1007; VTE, kitty, iTerm2 and
/// others do it by default on the alternate screen): the wheel scrolls the focused pane, and the
/// mouse is not captured, so that the terminal still selects text — a URL, a token — to copy.
fn alternate_scroll(on: bool) -> io::Result<()> {
    use std::io::Write;
    let mut out = io::stdout();
    out.write_all(if on { b"\x1b[?1007h" } else { b"\x1b[?1007l" })?;
    out.flush()
}

/// The terminal as `ratatui::init` sets it up (raw mode, the alternate screen, a panic hook that
/// restores it), except that nothing on the way out writes to stderr: once the terminal is gone
/// (SIGHUP), so is stderr, a failing `eprintln!` panics, and a panic in the panic hook aborts the
/// process before a demo's cleanup or a refresh's storing could run.
fn enter() -> io::Result<ratatui::DefaultTerminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = ratatui::try_restore();
        previous(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))
}

/// Restores the terminal as far as there is one.
fn leave(mut terminal: ratatui::DefaultTerminal) {
    let shown = terminal.show_cursor();
    let _ = ratatui::try_restore();
    // Its drop would try again and say on stderr that it failed (see `enter`).
    if shown.is_err() {
        std::mem::forget(terminal);
    }
}

/// The loop, on any backend and any stream of terminal events.
pub async fn run_on<B: Backend>(
    terminal: &mut Terminal<B>,
    store: Arc<Store>,
    options: Options,
    mut events: impl Stream<Item = io::Result<Event>> + Unpin,
) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let engine_tx = tx.clone();
    let engine = engine::spawn(store.clone(), move |event| {
        let _ = engine_tx.send(Message::Engine(event));
    });
    let mut app = App::new(SystemTime::now(), widgets::theme::Theme::from_env());
    app.zone = crate::time::local_zone();
    app.demo = options.demo.is_some();
    let mut runner = Runner::new(store, engine, tx.clone(), options.demo);
    for effect in update::start() {
        runner.run(effect);
    }
    let mut signals = crate::signals::Signals::catch().ok();
    let mut next_tick = app
        .tick_every()
        .map(|every| tokio::time::Instant::now() + every);
    loop {
        terminal
            .draw(|frame| views::render(&app, frame))
            .map_err(Into::into)?;
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => match terminal_message(event) {
                    Some(message) => message,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => Message::Quit,
            },
            Some(message) = rx.recv() => message,
            _ = sleep_until(next_tick) => Message::Tick(SystemTime::now()),
            _ = next_signal(&mut signals) => Message::Quit,
        };
        #[cfg(debug_assertions)]
        panic_if_asked(&first);
        let ticked = matches!(first, Message::Tick(_));
        // Countdowns drawn after this batch show the time it was handled at; a page is as tall
        // as the terminal is now.
        app.now = SystemTime::now();
        if let Ok(size) = terminal.size() {
            app.size = (size.width, size.height);
        }
        for effect in update::update(&mut app, first) {
            runner.run(effect);
        }
        while let Ok(message) = rx.try_recv() {
            for effect in update::update(&mut app, message) {
                runner.run(effect);
            }
        }
        if app.quit {
            return Ok(());
        }
        if ticked || next_tick.is_none() || app.tick_every().is_none() {
            next_tick = app
                .tick_every()
                .map(|every| tokio::time::Instant::now() + every);
        }
    }
}

fn terminal_message(event: Event) -> Option<Message> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press || key.kind == KeyEventKind::Repeat => {
            Some(Message::Key(key))
        }
        Event::Paste(text) => Some(Message::Paste(text)),
        Event::Resize(..) => Some(Message::Resize),
        _ => None,
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// SIGINT, SIGTERM and SIGHUP end the TUI as `q` does: the terminal is restored, and a second
/// one quits without waiting for refreshes.
async fn next_signal(signals: &mut Option<crate::signals::Signals>) {
    match signals {
        Some(signals) => {
            signals.next().await;
        }
        None => std::future::pending().await,
    }
}

/// Debug builds only: with `TOKENDECK_TEST_PANIC` set, F12 panics in the loop, so that tests
/// can see what a crash of the TUI leaves behind (a demo's records, refreshes under way).
#[cfg(debug_assertions)]
fn panic_if_asked(message: &Message) {
    if let Message::Key(key) = message
        && key.code == crossterm::event::KeyCode::F(12)
        && std::env::var_os("TOKENDECK_TEST_PANIC").is_some()
    {
        panic!("F12 with TOKENDECK_TEST_PANIC set: a crash, as asked");
    }
}
