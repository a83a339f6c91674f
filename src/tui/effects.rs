//! The effect runner: where the TUI does I/O. Each effect becomes a task that sends back one
//! message with its result (a link sends one per attempt); nothing here blocks drawing.

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use base64::Engine as _;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

use super::app::AccountRow;
use super::message::{Effect, Message};
use crate::oauth::secret::AccessToken;
use crate::oauth::{self, Tokens};
use crate::refresh::{EngineHandle, Link, Persistence, open_session};
use crate::store::events::Follow;
use crate::store::{Store, StoreError};

/// Plays the browser's part in demo mode: given the authorization URL, approves it.
pub type DemoBrowser =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

pub struct Runner {
    store: Arc<Store>,
    engine: EngineHandle,
    tx: UnboundedSender<Message>,
    follow: Arc<Mutex<Follow>>,
    accounts_seen: Arc<Mutex<Option<SystemTime>>>,
    link: Option<LinkTask>,
    demo: Option<DemoBrowser>,
}

struct LinkTask {
    pastes: UnboundedSender<String>,
    url: Arc<Mutex<Option<String>>>,
    task: JoinHandle<()>,
}

impl Drop for LinkTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Runner {
    pub fn new(
        store: Arc<Store>,
        engine: EngineHandle,
        tx: UnboundedSender<Message>,
        demo: Option<DemoBrowser>,
    ) -> Runner {
        let follow = Arc::new(Mutex::new(store.log().follow()));
        // The history, once; from here on the follower picks up what is new.
        let (history_store, history_tx) = (store.clone(), tx.clone());
        tokio::task::spawn_blocking(move || {
            let batch = history_store.log().read();
            let mut events = batch.events;
            let keep = events.len().saturating_sub(super::app::LOG_CAPACITY);
            events.drain(..keep);
            let _ = history_tx.send(Message::LogEvents(events));
            if batch.unreadable > 0 {
                let _ = history_tx.send(Message::LogUnreadable(batch.unreadable));
            }
        });
        Runner {
            store,
            engine,
            tx,
            follow,
            accounts_seen: Arc::new(Mutex::new(None)),
            link: None,
            demo,
        }
    }

    pub fn run(&mut self, effect: Effect) {
        let (store, tx) = (self.store.clone(), self.tx.clone());
        match effect {
            Effect::LoadAccounts => {
                let seen = self.accounts_seen.clone();
                tokio::task::spawn_blocking(move || {
                    *lock(&seen) = modified(&store);
                    let _ = tx.send(load_accounts(&store));
                });
            }
            Effect::LoadStatus(name) => {
                tokio::task::spawn_blocking(move || {
                    let status = store.status(&name);
                    let _ = tx.send(Message::Status { name, status });
                });
            }
            Effect::OpenKeyring => {
                tokio::spawn(async move {
                    let _ = tx.send(match store.keyring().await {
                        Ok(k) => Message::KeyringReady {
                            backend: k.backend().to_string(),
                            warning: k.warning().map(str::to_string),
                        },
                        Err(e) => Message::KeyringFailed(e.to_string()),
                    });
                });
            }
            Effect::PollLog => {
                let (follow, seen) = (self.follow.clone(), self.accounts_seen.clone());
                tokio::task::spawn_blocking(move || {
                    let batch = lock(&follow).read();
                    if !batch.events.is_empty() {
                        let _ = tx.send(Message::LogEvents(batch.events));
                    }
                    if batch.unreadable > 0 {
                        let _ = tx.send(Message::LogUnreadable(batch.unreadable));
                    }
                    // An account added or edited by another process.
                    let now = modified(&store);
                    let mut last = lock(&seen);
                    if *last != now {
                        *last = now;
                        let _ = tx.send(load_accounts(&store));
                    }
                });
            }
            Effect::Refresh(name) => self.engine.refresh_now(&name),
            Effect::TestApi(name) => {
                tokio::spawn(async move {
                    let _ = tx.send(match test_api(&store, &name).await {
                        Ok((status, excerpt)) => Message::ApiAnswered {
                            name,
                            status,
                            excerpt,
                        },
                        Err(message) => Message::ApiFailed { name, message },
                    });
                });
            }
            Effect::StartLink(name) => self.start_link(name),
            Effect::SubmitPaste(text) => match &self.link {
                Some(link) => {
                    let _ = link.pastes.send(text);
                }
                None => {
                    let _ = tx.send(Message::LinkFailed(
                        "No link is in progress: press Esc, then l.".into(),
                    ));
                }
            },
            Effect::CancelLink => self.link = None,
            Effect::DemoApprove(_) => {
                let url = self.link.as_ref().and_then(|l| lock(&l.url).clone());
                match (&self.demo, url) {
                    (Some(browser), Some(url)) => {
                        let approve = browser(url);
                        tokio::spawn(async move {
                            if let Err(e) = approve.await {
                                let _ = tx.send(Message::LinkAttemptFailed(e));
                            }
                        });
                    }
                    (None, _) => {
                        let _ = tx.send(Message::LinkAttemptFailed(
                            "The demo browser is only there in demo mode (tokendeck --demo)."
                                .into(),
                        ));
                    }
                    (Some(_), None) => {
                        let _ = tx.send(Message::LinkAttemptFailed(
                            "The authorization URL is not ready yet: press A again in a moment."
                                .into(),
                        ));
                    }
                }
            }
            Effect::Copy(text) => copy_with_osc52(&text),
            Effect::OpenBrowser(url) => {
                if !crate::browser::open(&url) {
                    let _ = tx.send(Message::LinkAttemptFailed(
                        "No browser could be opened here: copy the URL (c), or scan the code with a phone.".into(),
                    ));
                }
            }
            Effect::Add(request) => {
                let engine = self.engine.clone();
                tokio::spawn(async move {
                    let name = request.name.clone();
                    let _ = tx.send(match request.create(&store).await {
                        Ok(()) => {
                            engine.rescan();
                            Message::Added { name }
                        }
                        Err(e) => Message::AddFailed {
                            field: e.field(),
                            message: e.to_string(),
                        },
                    });
                });
            }
            Effect::Remove(name) => {
                tokio::spawn(async move {
                    let _ = tx.send(match store.remove(&name).await {
                        Ok(()) => Message::Removed { name },
                        Err(e) => Message::RemoveFailed(e.to_string()),
                    });
                });
            }
            Effect::RevealToken(name) => {
                tokio::spawn(async move {
                    let _ = tx.send(match store.record(&name).await {
                        Ok(record) => match record.tokens {
                            Some(tokens) => Message::TokenRevealed {
                                name,
                                token: AccessToken::new(tokens.access_token()),
                            },
                            None => {
                                Message::TokenUnavailable(format!("{name} holds no token yet."))
                            }
                        },
                        Err(e) => Message::TokenUnavailable(e.to_string()),
                    });
                });
            }
        }
    }

    fn start_link(&mut self, name: String) {
        let (store, tx, engine) = (self.store.clone(), self.tx.clone(), self.engine.clone());
        let (pastes, inbox) = mpsc::unbounded_channel();
        let url = Arc::new(Mutex::new(None));
        let shared_url = url.clone();
        let task = tokio::spawn(async move {
            match link(&store, &name, inbox, &tx, &shared_url).await {
                Ok(tokens) => {
                    let _ = store.record_link(&name, &tokens);
                    engine.rescan();
                    let _ = tx.send(Message::Linked { name });
                }
                Err(message) => {
                    let _ = tx.send(Message::LinkFailed(message));
                }
            }
        });
        self.link = Some(LinkTask { pastes, url, task });
    }
}

/// One link: prepares the URL, then takes whichever answer works first — the browser at the
/// loopback listener, or a paste. A failed attempt is reported and the next awaited (the listener
/// keeps listening, so opening the URL again works).
async fn link(
    store: &Arc<Store>,
    name: &str,
    mut pastes: mpsc::UnboundedReceiver<String>,
    tx: &UnboundedSender<Message>,
    shared_url: &Mutex<Option<String>>,
) -> Result<Tokens, String> {
    let link = Link::start(store, name, &Persistence::while_running())
        .await
        .map_err(|e| e.to_string())?;
    *lock(shared_url) = Some(link.url().to_string());
    let _ = tx.send(Message::LinkStarted {
        url: link.url().to_string(),
        listening: link.listening(),
    });
    let mut browser = Box::pin(link.from_browser());
    loop {
        tokio::select! {
            result = &mut browser => match result {
                Ok(tokens) => return Ok(tokens),
                Err(e) => {
                    let _ = tx.send(Message::LinkAttemptFailed(e.to_string()));
                    browser.set(link.from_browser());
                }
            },
            paste = pastes.recv() => match paste {
                Some(text) => match link.from_paste(&text).await {
                    Ok(tokens) => return Ok(tokens),
                    Err(e) => {
                        let _ = tx.send(Message::LinkAttemptFailed(e.to_string()));
                    }
                },
                None => return Err("The link was cancelled.".into()),
            },
        }
    }
}

/// The most of an API answer the preview (`t`) reads; it shows a line of it.
const PREVIEW_BODY_LIMIT: usize = 256 << 10;

async fn test_api(store: &Arc<Store>, name: &str) -> Result<(u16, String), String> {
    let account = store
        .accounts()
        .map_err(|e| e.to_string())?
        .get(name)
        .map_err(|e| e.to_string())?
        .clone();
    let url = account
        .api_url
        .ok_or("no API URL is set for this account")?;
    let session = open_session(store, name, &Persistence::while_running())
        .await
        .map_err(|e| e.to_string())?;
    let response = session
        .send(session.http().get(&url))
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = match session.read_body(response, PREVIEW_BODY_LIMIT).await {
        Ok(body) => body,
        Err(oauth::Error::AnswerTooLarge { .. }) => {
            return Err(format!(
                "the answer is larger than the preview reads ({} KiB): see it with `tokendeck call {name} {url}`",
                PREVIEW_BODY_LIMIT >> 10
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let excerpt: String = String::from_utf8_lossy(&body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(160)
        .collect();
    Ok((status, excerpt))
}

fn load_accounts(store: &Store) -> Message {
    match store.accounts() {
        Ok(accounts) => Message::Loaded(
            accounts
                .accounts
                .into_iter()
                .map(|(name, account)| AccountRow {
                    status: store.status(&name),
                    name,
                    account,
                    refreshing: false,
                })
                .collect(),
        ),
        Err(e @ StoreError::CorruptAccounts { .. }) => Message::LoadFailed(e.to_string()),
        Err(e) => Message::LoadFailed(e.to_string()),
    }
}

fn modified(store: &Store) -> Option<SystemTime> {
    std::fs::metadata(store.home().accounts_file())
        .and_then(|m| m.modified())
        .ok()
}

/// OSC 52: the terminal puts the text on the clipboard, even over SSH.
fn copy_with_osc52(text: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "\x1b]52;c;{encoded}\x07");
    let _ = stdout.flush();
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
