//! The real keyring: whichever `TOKENDECK_KEYRING` (or the platform) selects. tests/run runs this
//! file once on a headless gnome-keyring (Secret Service) and once on the Linux kernel keyring.

use crate::common;

use std::time::{Duration, SystemTime};

use common::cli::{Deck, text};
use common::tmux::Tmux;
use common::{Options, TestProvider};

use tokendeck::Tokens;
use tokendeck::oauth::secret::ClientSecret;
use tokendeck::store::{Backend, Home, Keyring, KeyringError, Record};

/// A keyring namespaced to a fresh temporary home, so parallel tests never meet.
async fn keyring() -> (tempfile::TempDir, Keyring) {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::rooted(dir.path()).unwrap();
    let keyring = Keyring::open(home.keyring_service())
        .await
        .expect("a keyring is available");
    eprintln!("keyring backend: {}", keyring.backend());
    (dir, keyring)
}

fn record(access: &str) -> Record {
    let now = SystemTime::now();
    Record {
        client_secret: Some(ClientSecret::new("client-secret-value")),
        tokens: Some(
            Tokens::new(access, now)
                .with_refresh_token("refresh-token-value")
                .with_expires_at(Some(now + Duration::from_secs(3600))),
        ),
    }
}

#[tokio::test]
async fn a_record_round_trips_in_one_entry() {
    let (_dir, keyring) = keyring().await;
    let written = record("access-token-value");
    keyring.write("work", &written).await.unwrap();
    let read = keyring
        .read("work")
        .await
        .unwrap()
        .expect("the record is there");
    assert_eq!(read.client_secret, written.client_secret);
    let (a, b) = (read.tokens.unwrap(), written.tokens.unwrap());
    assert!(a.same_secrets(&b));
    assert_eq!(a.refresh_token(), Some("refresh-token-value"));

    keyring
        .write("work", &record("second-access-token"))
        .await
        .unwrap();
    let again = keyring.read("work").await.unwrap().unwrap();
    assert_eq!(
        again.tokens.unwrap().access_token(),
        "second-access-token",
        "replaced, not duplicated"
    );

    keyring.delete("work").await.unwrap();
    assert_eq!(keyring.read("work").await.unwrap(), None);
}

#[tokio::test]
async fn a_missing_entry_reads_as_none_and_deletes_quietly() {
    let (_dir, keyring) = keyring().await;
    assert_eq!(keyring.read("never-written").await.unwrap(), None);
    keyring.delete("never-written").await.unwrap();
}

#[tokio::test]
async fn two_homes_never_see_each_others_records() {
    let (_a, first) = keyring().await;
    let (_b, second) = keyring().await;
    first
        .write("shared-name", &record("home-a-token"))
        .await
        .unwrap();
    assert_eq!(second.read("shared-name").await.unwrap(), None);
    first.delete("shared-name").await.unwrap();
}

#[tokio::test]
async fn a_64_kb_record_fits_the_secret_service_and_is_refused_clearly_elsewhere() {
    let (_dir, keyring) = keyring().await;
    let big = "x".repeat(64 * 1024);
    let result = keyring.write("big", &record(&big)).await;
    match keyring.backend() {
        Backend::SecretService => {
            result.expect("the Secret Service stores 64 KB");
            let read = keyring.read("big").await.unwrap().unwrap();
            assert_eq!(read.tokens.unwrap().access_token().len(), big.len());
            keyring.delete("big").await.unwrap();
        }
        Backend::Keyutils => {
            let err = result.expect_err("kernel keys hold at most 32 KB");
            assert!(matches!(err, KeyringError::TooLarge { .. }), "{err:?}");
            assert!(
                err.to_string()
                    .contains("too large for the Linux kernel keyring"),
                "{err}"
            );
        }
        other => panic!("not tested on {other}"),
    }
}

/// Alone on the Secret Service: the twenty calls queue there behind every other test's, and
/// each must still end within the keyring's 3 s timeout.
#[tokio::test]
#[ignore = "runs alone: its twenty calls at once must not queue behind other tests' at the Secret Service; tests/run runs it on its own"]
async fn many_concurrent_calls_all_complete() {
    let (_dir, keyring) = keyring().await;
    let writes = (0..20).map(|i| {
        let keyring = keyring.clone();
        tokio::spawn(async move {
            keyring
                .write(&format!("acct{i}"), &record(&format!("token-{i}")))
                .await
        })
    });
    for write in writes.collect::<Vec<_>>() {
        write.await.unwrap().unwrap();
    }
    for i in 0..20 {
        let read = keyring.read(&format!("acct{i}")).await.unwrap().unwrap();
        assert_eq!(read.tokens.unwrap().access_token(), format!("token-{i}"));
        keyring.delete(&format!("acct{i}")).await.unwrap();
    }
}

/// Every read sees the latest write, whichever thread made either: a kernel keyring reached
/// through per-thread session keyrings once returned a stale copy here.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_always_see_the_latest_write() {
    let (_dir, keyring) = keyring().await;
    for round in 0..20 {
        let value = format!("token-round-{round}");
        let writer = keyring.clone();
        let written = value.clone();
        tokio::spawn(async move { writer.write("latest", &record(&written)).await.unwrap() })
            .await
            .unwrap();
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let keyring = keyring.clone();
                tokio::spawn(async move { keyring.read("latest").await.unwrap().unwrap() })
            })
            .collect();
        for reader in readers {
            let read = reader.await.unwrap();
            assert_eq!(read.tokens.unwrap().access_token(), value, "round {round}");
        }
    }
    keyring.delete("latest").await.unwrap();
}

/// tests/run locks the headless keyring's collection, then runs this alone.
#[tokio::test]
#[ignore = "needs a locked Secret Service collection; tests/run sets one up"]
async fn a_locked_keyring_says_to_unlock_it() {
    let (_dir, keyring) = keyring().await;
    assert_eq!(keyring.backend(), Backend::SecretService);
    let err = keyring.write("work", &record("token")).await.unwrap_err();
    assert!(
        matches!(err, KeyringError::Locked | KeyringError::Timeout),
        "{err:?}"
    );
    assert!(err.to_string().contains("unlock"), "{err}");
}

/// A home whose first record went to the Secret Service, used from a process without a D-Bus
/// session (SSH, cron): that process once fell back to the kernel keyring, found no record, told
/// the user to remove and re-add the account, and its TUI marked the shared status "needs
/// re-link". Now it says which keyring the home uses and how to reach it, and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_home_in_the_secret_service_is_never_looked_for_in_another_keyring() {
    // The Secret Service pass only: in the kernel-keyring pass tests/run has locked it.
    if std::env::var("TOKENDECK_KEYRING").as_deref() != Ok("secret-service") {
        return;
    }
    let server = TestProvider::start_with(Options {
        access_ttl: 2,
        ..Options::default()
    })
    .await;
    let deck = Deck::new().with_env("TOKENDECK_KEYRING", "secret-service");
    deck.add(&server, "work").await;
    let linked = deck.link("work").await;
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    let choice = std::fs::read_to_string(deck.home().join("config/keyring.toml")).unwrap();
    assert!(choice.contains("backend = \"secret-service\""), "{choice}");
    let status_file = deck.home().join("state/accounts/work.json");
    let before = std::fs::read(&status_file).unwrap();

    let api = server.url("/api/me");
    for args in [
        vec!["token", "work"],
        vec!["refresh", "work"],
        vec!["call", "work", &api],
        vec!["remove", "work"],
    ] {
        let out = deck
            .command(&args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("TOKENDECK_KEYRING")
            .output()
            .await
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{args:?}: {err}");
        assert!(
            err.contains("keeps its tokens in the Secret Service, which cannot be reached")
                && err.contains("dbus-run-session")
                && err.contains("keyring.toml"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("remove") && !err.contains("TOKENDECK_KEYRING=keyutils"),
            "only advice that fits: {err}"
        );
    }

    // TOKENDECK_KEYRING naming another keyring is refused, not obeyed.
    let out = deck
        .command(&["token", "work"])
        .env("TOKENDECK_KEYRING", "keyutils")
        .output()
        .await
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("unset TOKENDECK_KEYRING, or set it to secret-service"),
        "{err}"
    );

    // A TUI started there: its engine finds the token due, and a manual refresh is asked for.
    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap();
    let tmux = Tmux::start(
        &[
            "env",
            "-u",
            "DBUS_SESSION_BUS_ADDRESS",
            "-u",
            "TOKENDECK_KEYRING",
            binary.to_str().unwrap(),
            "--home",
            home,
        ],
        220,
        30,
    );
    let wait = Duration::from_secs(20);
    tmux.wait_for("which cannot be reached", wait);
    tmux.keys(&["r"]);
    tmux.wait_for("Refreshing work failed", wait);
    tmux.keys(&["q"]);
    tmux.wait_until_gone(wait);

    assert_eq!(
        std::fs::read(&status_file).unwrap(),
        before,
        "the shared status is untouched: no needs_relink"
    );
    assert_eq!(server.count("grant refresh_token 200").await, 0);

    // A home an older tokendeck made records no keyring: a process that would have to fall back
    // does not guess, and the first one that finds a record there records its keyring.
    let choice_file = deck.home().join("config/keyring.toml");
    std::fs::remove_file(&choice_file).unwrap();
    let out = deck
        .command(&["token", "work"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("TOKENDECK_KEYRING")
        .output()
        .await
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("does not record which keyring holds its accounts' tokens"),
        "{err}"
    );
    assert!(!choice_file.exists());
    assert_eq!(std::fs::read(&status_file).unwrap(), before);

    // The desktop session still has everything.
    let out = deck.run(&["refresh", "work"], "").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&choice_file).unwrap(), choice);

    // An older home whose record is not in the keyring this process reaches (it may be in the
    // other one): a keyring question, not a lost account — nothing is marked for a re-link.
    std::fs::remove_file(&choice_file).unwrap();
    let second = "second";
    deck.add(&server, second).await;
    std::fs::remove_file(&choice_file).unwrap();
    let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
    let keyring = tokendeck::store::Keyring::open(home.keyring_service())
        .await
        .unwrap();
    keyring.delete(second).await.unwrap();
    let out = deck.run(&["token", second], "").await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("has not recorded which keyring it uses"),
        "{err}"
    );
    let status = deck.home().join(format!("state/accounts/{second}.json"));
    let status = std::fs::read_to_string(status).unwrap_or_default();
    assert!(!status.contains("needs_relink\": true"), "{status}");
}
