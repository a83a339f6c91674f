//! The terminal UI, in The Elm Architecture with effects: [`update`](update::update) changes the
//! [`App`](app::App) and returns effects, the [`Runner`](effects::Runner) performs them and sends
//! back messages, and views draw the state. One `select!` over the terminal's events, the message
//! channel and a tick that runs only while something on screen moves; every pending message is
//! applied before one draw.

pub mod app;
pub mod effects;
pub mod form;
pub mod input;
pub mod inspect;
pub mod keymap;
mod keys;
pub mod link;
pub mod message;
pub mod theme;
pub mod update;
pub mod views;

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

use crate::refresh::engine;
use crate::store::Store;

/// How the TUI starts.
#[derive(Default)]
pub struct Options {
    /// Demo mode: the link screen can approve as the demo user.
    pub demo: Option<DemoBrowser>,
}

/// Runs the TUI on the real terminal until the user quits; the terminal is restored on every
/// way out (quit, error, panic, SIGTERM, SIGHUP).
pub async fn run(store: Arc<Store>, options: Options) -> io::Result<()> {
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(io::stdout(), EnableBracketedPaste);
    let result = run_on(&mut terminal, store, options, EventStream::new()).await;
    let _ = crossterm::execute!(io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
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
    let mut app = App::new(SystemTime::now(), theme::Theme::from_env());
    app.zone = crate::time::local_zone();
    app.demo = options.demo.is_some();
    let mut runner = Runner::new(store, engine, tx.clone(), options.demo);
    for effect in update::start() {
        runner.run(effect);
    }
    let mut signals = Signals::new();
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
            () = signals.next() => Message::Quit,
        };
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

/// SIGTERM and SIGHUP end the TUI like `q` does, so the terminal is restored.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                hup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match &mut self.term {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let hup = async {
                match &mut self.hup {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = term => {}
                _ = hup => {}
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
