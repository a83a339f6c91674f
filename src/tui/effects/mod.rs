//! The effect runner: where the TUI does I/O. Each effect becomes a task that sends back one
//! message with its result (a link sends one per attempt); nothing here blocks drawing.

mod api;
mod link;

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
use super::words;
use crate::app::link::LinkWay;
use crate::app::set::AccountChange;
use crate::app::{EngineHandle, stop};
use crate::oauth::secret::AccessToken;
use crate::store::Store;
use crate::store::events::Follow;
use crate::store::new_account::NewAccount;

/// Plays the browser's part in demo mode: given the authorization URL, or a device code's
/// verification URL, approves it.
pub type DemoBrowser =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// Performs effects. It holds only the handles that I/O needs — the channel back to `update`, the
/// event log's read position, the running link's inbox — never a copy of the app's state: what an
/// effect needs travels in the effect.
pub struct Runner {
    store: Arc<Store>,
    engine: EngineHandle,
    tx: UnboundedSender<Message>,
    /// Where the event log was last read to; `None` until the history is read.
    follow: Arc<Mutex<Option<Follow>>>,
    /// When the accounts file last changed, as of the last read (to notice other processes).
    accounts_seen: Arc<Mutex<Option<(SystemTime, i64)>>>,
    link: Option<LinkTask>,
    demo: Option<DemoBrowser>,
}

/// The link in progress: its task, and where pasted text goes.
struct LinkTask {
    pastes: UnboundedSender<String>,
    task: JoinHandle<()>,
}

impl Drop for LinkTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Runner {
    /// A runner; it does nothing until it is given effects ([`update::start`](super::update::start)
    /// has the first ones).
    pub fn new(
        store: Arc<Store>,
        engine: EngineHandle,
        tx: UnboundedSender<Message>,
        demo: Option<DemoBrowser>,
    ) -> Runner {
        Runner {
            store,
            engine,
            tx,
            follow: Arc::new(Mutex::new(None)),
            accounts_seen: Arc::new(Mutex::new(None)),
            link: None,
            demo,
        }
    }

    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::LoadAccounts => self.load_accounts(),
            Effect::LoadHistory => self.load_history(),
            Effect::LoadStatus(name) => self.load_status(name),
            Effect::OpenKeyring => self.open_keyring(),
            Effect::PollLog => self.poll_log(),
            Effect::Refresh(name) => self.engine.refresh_now(&name),
            Effect::TestApi(name) => self.test_api(name),
            Effect::StartLink(name, way) => self.start_link(name, way),
            Effect::SubmitPaste(text) => self.submit_paste(text),
            // Dropping the task aborts it, and the session with its listener goes at once.
            Effect::CancelLink => self.link = None,
            Effect::DemoApprove(url) => self.demo_approve(url),
            Effect::Copy(text) => copy_with_osc52(&text),
            Effect::CopyToken(token) => copy_with_osc52(token.secret()),
            Effect::OpenBrowser(url) => self.open_browser(&url),
            Effect::Add(request) => self.add(*request),
            Effect::Edit { name, change } => self.edit(name, *change),
            Effect::Remove(name) => self.remove(name),
            Effect::RevealToken(name) => self.reveal_token(name),
            Effect::Inspect { name, introspect } => self.inspect(name, introspect),
            Effect::Stop => self.stop(),
            Effect::GiveUp => {
                stop::begin().abandon();
            }
        }
    }

    /// Quitting: no refresh starts from now on (the engine asks too); the ones under way are
    /// named, and `Stopped` follows once they end or patience runs out.
    fn stop(&self) {
        let stop = stop::begin();
        let accounts = stop.under_way();
        if accounts.is_empty() {
            let _ = self.tx.send(Message::Stopped);
            return;
        }
        let patience = stop::patience();
        let tx = self.tx.clone();
        let _ = tx.send(Message::StopWaiting { accounts, patience });
        tokio::spawn(async move {
            stop.settled(patience).await;
            let _ = tx.send(Message::Stopped);
        });
    }

    /// Sends whatever `work` answers, from a thread where blocking is allowed.
    fn blocking(&self, work: impl FnOnce(&Store) -> Option<Message> + Send + 'static) {
        let (store, tx) = (self.store.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            if let Some(message) = work(&store) {
                let _ = tx.send(message);
            }
        });
    }

    /// Sends what `work` answers, from a task.
    fn task<F>(&self, work: impl FnOnce(Arc<Store>) -> F)
    where
        F: Future<Output = Message> + Send + 'static,
    {
        let (future, tx) = (work(self.store.clone()), self.tx.clone());
        tokio::spawn(async move {
            let _ = tx.send(future.await);
        });
    }

    fn load_accounts(&self) {
        let seen = self.accounts_seen.clone();
        let tx = self.tx.clone();
        self.blocking(move |store| {
            *lock(&seen) = modified(store);
            let _ = tx.send(Message::Daemon(store.daemon()));
            Some(read_accounts(store))
        });
    }

    /// The history, once; from then on `poll_log` picks up what is new.
    fn load_history(&self) {
        let (follow, tx) = (self.follow.clone(), self.tx.clone());
        self.blocking(move |store| {
            let (batch, follower) = store.log().history();
            *lock(&follow) = Some(follower);
            let mut events = batch.events;
            events.drain(..events.len().saturating_sub(super::app::LOG_CAPACITY));
            let _ = tx.send(Message::LogEvents(events));
            (batch.unreadable > 0).then_some(Message::LogUnreadable(batch.unreadable))
        });
    }

    fn load_status(&self, name: String) {
        self.blocking(move |store| {
            let status = store.status(&name);
            Some(Message::Status { name, status })
        });
    }

    fn open_keyring(&self) {
        self.task(|store| async move {
            match store.keyring().await {
                Ok(k) => Message::KeyringReady {
                    backend: k.backend(),
                    warning: k.warning().map(str::to_string),
                },
                Err(e) => Message::KeyringFailed(e.to_string()),
            }
        });
    }

    /// What is new in the event log, and the accounts file again if another process changed it.
    fn poll_log(&self) {
        let (follow, seen, tx) = (
            self.follow.clone(),
            self.accounts_seen.clone(),
            self.tx.clone(),
        );
        self.blocking(move |store| {
            if let Some(follow) = lock(&follow).as_mut() {
                let batch = follow.read();
                if !batch.events.is_empty() {
                    let _ = tx.send(Message::LogEvents(batch.events));
                }
                if batch.unreadable > 0 {
                    let _ = tx.send(Message::LogUnreadable(batch.unreadable));
                }
            }
            // A daemon may have started or stopped since: one lock probe, which never waits.
            let _ = tx.send(Message::Daemon(store.daemon()));
            let now = modified(store);
            let mut last = lock(&seen);
            (*last != now).then(|| {
                *last = now;
                read_accounts(store)
            })
        });
    }

    fn inspect(&self, name: String, introspect: bool) {
        self.task(|store| async move {
            let report = crate::inspect::inspect(&store, &name, introspect)
                .await
                .map(Box::new);
            Message::Inspected { name, report }
        });
    }

    fn test_api(&self, name: String) {
        self.task(|store| async move {
            match api::test_api(&store, &name).await {
                Ok((status, excerpt)) => Message::ApiAnswered {
                    name,
                    status,
                    excerpt,
                },
                Err(message) => Message::ApiFailed { name, message },
            }
        });
    }

    /// Starts a link by `way` (replacing one under way, which stops).
    fn start_link(&mut self, name: String, way: LinkWay) {
        let (store, tx, engine) = (self.store.clone(), self.tx.clone(), self.engine.clone());
        let (pastes, inbox) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let end = link::link(&store, &name, way, inbox, &tx).await;
            engine.rescan();
            let _ = tx.send(end);
        });
        self.link = Some(LinkTask { pastes, task });
    }

    fn submit_paste(&self, text: String) {
        match &self.link {
            Some(link) => {
                let _ = link.pastes.send(text);
            }
            None => {
                let _ = self
                    .tx
                    .send(Message::LinkAttemptFailed(words::NO_LINK.into()));
            }
        }
    }

    fn demo_approve(&self, url: String) {
        let Some(browser) = &self.demo else {
            let _ = self
                .tx
                .send(Message::LinkAttemptFailed(words::NOT_THE_DEMO.into()));
            return;
        };
        let (approve, tx) = (browser(url), self.tx.clone());
        tokio::spawn(async move {
            if let Err(e) = approve.await {
                let _ = tx.send(Message::LinkAttemptFailed(e));
            }
        });
    }

    fn open_browser(&self, url: &str) {
        if !crate::browser::open(url) {
            let _ = self
                .tx
                .send(Message::LinkAttemptFailed(words::NO_BROWSER.into()));
        }
    }

    fn add(&self, request: NewAccount) {
        let engine = self.engine.clone();
        self.task(|store| async move {
            let name = request.name.clone();
            let secret_required_by = request.client_secret_required_by();
            match request.create(&store).await {
                Ok(()) => {
                    engine.rescan();
                    let git = crate::app::git::claims_of(&store, &name).unwrap_or_default();
                    Message::Added {
                        name,
                        git,
                        secret_required_by,
                    }
                }
                Err(e) => Message::AddFailed {
                    field: e.field(),
                    message: words::add_failed(&e),
                },
            }
        });
    }

    /// The set use case: checked as `tokendeck set` is, under the account's lock.
    fn edit(&self, name: String, change: AccountChange) {
        let engine = self.engine.clone();
        self.task(|store| async move {
            match change.apply(&store, &name).await {
                Ok(changed) => {
                    // Another token endpoint or client: the schedule reads the account again.
                    engine.rescan();
                    Message::Edited { name, changed }
                }
                Err(e) => Message::AddFailed {
                    field: e.field(),
                    message: words::add_failed(&e),
                },
            }
        });
    }

    fn remove(&self, name: String) {
        self.task(|store| async move {
            match crate::app::remove_account(&store, &name, true).await {
                Ok(revocation) => Message::Removed {
                    name,
                    revocation: Some(words::revocation(&revocation)),
                    revocation_failed: revocation.is_failure(),
                },
                Err(e) => Message::RemoveFailed(words::account_error(&e, words::Shown::Accounts)),
            }
        });
    }

    fn reveal_token(&self, name: String) {
        self.task(|store| async move {
            match store.record(&name).await {
                Ok(record) => match record.tokens {
                    Some(tokens) => Message::TokenRevealed {
                        name,
                        token: AccessToken::new(tokens.access_token()),
                    },
                    None => Message::TokenUnavailable(words::holds_no_token(&name)),
                },
                Err(e) => Message::TokenUnavailable(words::store_error(&e)),
            }
        });
    }
}

fn read_accounts(store: &Store) -> Message {
    match store.accounts() {
        Ok(accounts) => {
            let relink_margin = accounts.relink_margin();
            Message::Loaded(
                accounts
                    .into_natural_order()
                    .into_iter()
                    .map(|(name, account)| AccountRow {
                        status: store.status(&name),
                        name,
                        account,
                        refreshing: false,
                        relink_margin,
                    })
                    .collect(),
            )
        }
        Err(e) => Message::LoadFailed(words::store_error(&e)),
    }
}

/// When the accounts file was last modified — and changed at all: a `chmod` that makes it usable
/// again moves only its change time.
fn modified(store: &Store) -> Option<(SystemTime, i64)> {
    let meta = std::fs::metadata(store.home().accounts_file()).ok()?;
    #[cfg(unix)]
    let changed = std::os::unix::fs::MetadataExt::ctime(&meta);
    #[cfg(not(unix))]
    let changed = 0;
    Some((meta.modified().ok()?, changed))
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
