//! Homes: one that others can write to, or that belongs to someone else, is refused before
//! anything in it is touched; one tokendeck makes is private, and so is every file it writes.
//! Real folders with real modes and owners, the real binary, the TUI in a real terminal.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncBufReadExt;

use super::NOBODY;
use crate::common::cli::{Deck, text};
use crate::common::tmux::Tmux;
use crate::common::{TestProvider, mode};

/// Every file and folder under `dir`, `dir` itself first.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    let mut at = 0;
    while at < all.len() {
        if all[at].is_dir() && !all[at].is_symlink() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&all[at])
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            all.extend(entries);
        }
        at += 1;
    }
    all
}

/// The folder's contents — names, modes, sizes, times of change — to show that a refused
/// command changed nothing.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u32, u64, std::time::SystemTime)> {
    tree(dir)
        .into_iter()
        .map(|p| {
            let meta = std::fs::symlink_metadata(&p).unwrap();
            (p.clone(), mode(&p), meta.len(), meta.modified().unwrap())
        })
        .collect()
}

/// `tokendeck --home HOME ARGS…` (no command: the TUI), with stdin closed.
async fn run_on(home: &Path, args: &[&str]) -> std::process::Output {
    let out = tokio::process::Command::new(Deck::binary())
        .arg("--home")
        .arg(home)
        .args(args)
        .stdin(Stdio::null())
        .output();
    tokio::time::timeout(Duration::from_secs(30), out)
        .await
        .expect("tokendeck ended within 30 s")
        .unwrap()
}

/// A `--home` its group or others can write to, itself or its `config/` or `state/`: every
/// command — the TUI, the daemon, `token`, `add` — stops with exit 1, naming the folder and
/// `chmod 700` for it, and nothing in the home is made, read or changed. `completions` needs no
/// home and still works.
#[tokio::test]
async fn a_home_others_can_write_is_refused_and_left_as_it_was() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    let home = deck.home().canonicalize().unwrap();
    let token_url = server.url("/token");
    let add = [
        "add",
        "other",
        "--authorize-url",
        &token_url,
        "--token-url",
        &token_url,
        "--client-id",
        "c",
    ];
    let commands: [&[&str]; 6] = [
        &[],
        &["daemon"],
        &["token", "work"],
        &["list"],
        &["log"],
        &add,
    ];
    for (folder, loose) in [
        (home.clone(), 0o777),
        (home.clone(), 0o770),
        (home.join("config"), 0o707),
        (home.join("state"), 0o775),
    ] {
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::set_permissions(&folder, Permissions::from_mode(loose)).unwrap();
        let before = snapshot(&home);
        for args in commands {
            let out = run_on(&home, args).await;
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?} on {loose:o}: {err}");
            assert!(
                err.contains(&format!("the home {} is not yours alone", folder.display()))
                    && err.contains(&format!("(mode {loose:04o})"))
                    && err.contains(&format!("Run `chmod 700 {}`", folder.display())),
                "{args:?} on {loose:o}: {err}"
            );
            assert!(out.stdout.is_empty(), "{args:?}");
            assert_eq!(
                snapshot(&home),
                before,
                "{args:?} on {loose:o} changed the home"
            );
        }
        let out = run_on(&home, &["completions", "bash"]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("tokendeck"));
        std::fs::set_permissions(&folder, Permissions::from_mode(0o700)).unwrap();
    }
    // Put right, the same home works again.
    assert!(deck.ok(&["list"]).await.contains("work"));
}

/// A home (or its `config/`) that belongs to another user is refused the same way, with the
/// owner's uid and what to do instead. As root, the folder is given to `nobody`; as anyone
/// else, `/` (root's) serves as another user's folder.
#[tokio::test]
async fn a_home_another_user_owns_is_refused() {
    let mine = rustix::process::getuid().is_root();
    let dir = tempfile::tempdir().unwrap();
    let (home, owner) = if mine {
        let home = dir.path().join("theirs");
        std::fs::create_dir(&home).unwrap();
        std::os::unix::fs::chown(&home, Some(NOBODY), Some(NOBODY)).unwrap();
        (home, NOBODY)
    } else {
        (PathBuf::from("/"), 0)
    };
    // `/` is not walked: nothing could be made there anyway.
    let before = mine.then(|| snapshot(&home));
    let out = run_on(&home, &["list"]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "the home {} belongs to another user (uid {owner})",
            home.display()
        )) && err.contains("use a folder of your own (`--home DIR`"),
        "{err}"
    );
    if let Some(before) = before {
        assert_eq!(snapshot(&home), before);
    }

    if mine {
        // Its config folder only.
        let home = dir.path().join("mine");
        std::fs::create_dir_all(home.join("config")).unwrap();
        std::os::unix::fs::chown(home.join("config"), Some(NOBODY), None).unwrap();
        let out = run_on(&home, &["list"]).await;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("/mine/config belongs to another user (uid 65534)"),
            "{err}"
        );
    }
}

/// A home to be made in a folder that others can write to (and so could swap it for their own)
/// is not made; in a folder with the sticky bit, as `/tmp`, it is — 0700, and so are the
/// folders tokendeck made on the way.
#[tokio::test]
async fn a_home_is_made_only_where_no_one_else_can_replace_it_and_made_private() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().canonicalize().unwrap().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, Permissions::from_mode(0o777)).unwrap();
    let home = shared.join("a/b/home");
    let out = run_on(&home, &["list"]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("the home {} is not safe: ", home.display()))
            && err.contains(&format!(
                "can write to {}, a folder above it (mode 0777)",
                shared.display()
            ))
            && err.contains(&format!("-w {}`", shared.display())),
        "{err}"
    );
    assert!(!shared.join("a").exists(), "nothing was made");

    std::fs::set_permissions(&shared, Permissions::from_mode(0o1777)).unwrap();
    let out = run_on(&home, &["list"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    for made in [shared.join("a"), shared.join("a/b"), home.clone()] {
        assert_eq!(mode(&made), 0o700, "{}", made.display());
    }
}

/// The default home, without `--home`: tokendeck's own folders under `XDG_CONFIG_HOME` and
/// `XDG_STATE_HOME` are checked as a `--home` is, and so are the folders above them.
#[tokio::test]
async fn the_default_home_is_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (config, state) = (root.join("config"), root.join("state"));
    std::fs::create_dir_all(config.join("tokendeck")).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let run = async || {
        let out = tokio::process::Command::new(Deck::binary())
            .arg("list")
            .env_remove("TOKENDECK_HOME")
            .env("HOME", &root)
            .env("XDG_CONFIG_HOME", &config)
            .env("XDG_STATE_HOME", &state)
            .output();
        tokio::time::timeout(Duration::from_secs(30), out)
            .await
            .unwrap()
            .unwrap()
    };
    let out = run().await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let own = config.join("tokendeck");
    std::fs::set_permissions(&own, Permissions::from_mode(0o777)).unwrap();
    let out = run().await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("Run `chmod 700 {}`", own.display())),
        "{err}"
    );
    std::fs::set_permissions(&own, Permissions::from_mode(0o700)).unwrap();

    std::fs::set_permissions(&state, Permissions::from_mode(0o757)).unwrap();
    let out = run().await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "the home {} is not safe: other users can write to {}, a folder above it (mode 0757)",
            state.join("tokendeck").display(),
            state.display()
        )) && err.contains(&format!("Run `chmod o-w {}`", state.display())),
        "{err}"
    );
    assert!(!state.join("tokendeck").exists(), "nothing was made");
}

/// Everything tokendeck writes in a home — the accounts file, the keyring choice, status files,
/// the event log, every lock file, the daemon's lock — is readable by the user alone (0600), in
/// folders that are too (0700); a lock file an older tokendeck left readable by all is made
/// private when it is next used.
#[tokio::test]
async fn every_file_tokendeck_writes_is_private() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    deck.ok(&["refresh", "work"]).await;
    deck.ok(&[
        "set",
        "work",
        "--scope",
        "openid",
        "--scope",
        "offline_access",
    ])
    .await;
    let old_lock = deck.home().join("state/locks/work.lock");
    std::fs::set_permissions(&old_lock, Permissions::from_mode(0o644)).unwrap();
    deck.ok(&["refresh", "work"]).await;
    // The daemon's lock, held while it runs.
    let mut daemon = deck
        .command(&["daemon"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = tokio::io::BufReader::new(daemon.stderr.take().unwrap()).lines();
    while let Some(line) = stderr.next_line().await.unwrap() {
        if line.contains("keeping") {
            break;
        }
    }
    daemon.kill().await.unwrap();

    let names: Vec<String> = tree(deck.home())
        .iter()
        .map(|p| p.strip_prefix(deck.home()).unwrap().display().to_string())
        .collect();
    for expected in [
        "config/accounts.toml",
        "config/accounts.lock",
        "config/keyring.toml",
        "state/events.jsonl",
        "state/events.lock",
        "state/status.lock",
        "state/accounts/work.json",
        "state/locks/work.lock",
        "state/daemon.lock",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    for path in tree(deck.home()).iter().skip(1) {
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(path), expected, "{}", path.display());
    }
}

/// The TUI says that a home is not safe on the terminal, before it would open its screen, and
/// ends there.
#[test]
fn the_tui_says_a_home_is_not_safe_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().canonicalize().unwrap();
    std::fs::set_permissions(&home, Permissions::from_mode(0o775)).unwrap();
    let binary = Deck::binary();
    let line = format!(
        "{} --home {}; echo \"tokendeck ended: $?\"; exec sleep 60",
        binary.display(),
        home.display()
    );
    // Wide enough that the message is not wrapped.
    let tmux = Tmux::start(&["sh", "-c", &line], 400, 10);
    let screen = tmux.wait_for("tokendeck ended: 1", Duration::from_secs(20));
    assert!(
        screen.contains(&format!(
            "tokendeck: the home {} is not yours alone: its group can write to it (mode 0775)",
            home.display()
        )) && screen.contains(&format!("Run `chmod 700 {}`", home.display())),
        "{screen}"
    );
    assert_eq!(tree(&home), vec![home.clone()], "nothing was made");
}
