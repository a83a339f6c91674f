//! Mail clients logging in to a real Dovecot with tokendeck's access token, each configured by
//! its README recipe: msmtp (XOAUTH2 and OAUTHBEARER through submission), mbsync (XOAUTH2 over
//! IMAP), curl (OAUTHBEARER over IMAP), neomutt (XOAUTH2, IMAP and SMTP) and aerc — before and
//! after the access token expired, so that tokendeck's refresh is what keeps them in. Dovecot
//! asks the test provider (RFC 7662 introspection) about every token, and refuses one the
//! provider calls inactive. The clients run as blocking processes inside each test, beside the
//! relay's task: two workers, so the relay answers while a client runs on any machine, one core
//! included.

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::common::cli::{Deck, text};
use crate::common::dovecot::{Dovecot, MAIL_USER};
use crate::common::mail_clients::{self, count};
use crate::common::smtp_relay::Relay;
use crate::common::{Options, TestProvider, eventually};

/// Access tokens live this long: short enough to wait for, long enough for a client or two
/// to log in with the first one on a busy machine.
const ACCESS_TTL: u64 = 8;

/// A linked account (named `gmail`, as in the README's recipes), the provider behind it, and a
/// Dovecot that asks that provider about tokens and relays mail to `relay`.
struct Mail {
    server: TestProvider,
    relay: Relay,
    dovecot: Dovecot,
    deck: Deck,
}

impl Mail {
    async fn start(access_ttl: u64) -> Mail {
        let server = TestProvider::start_with(Options {
            access_ttl,
            ..Options::default()
        })
        .await;
        let relay = Relay::start().await;
        let dovecot = Dovecot::start(&server, &relay).await;
        let deck = Deck::new();
        let extra = ["--mail-user", MAIL_USER];
        let out = deck
            .add_with(&server, "gmail", "basic-secret-value", &extra)
            .await;
        assert!(out.status.success(), "add: {}", text(&out.stderr));
        let out = deck.link("gmail").await;
        assert!(out.status.success(), "link: {}", text(&out.stderr));
        Mail {
            server,
            relay,
            dovecot,
            deck,
        }
    }

    /// Waits until the stored access token has expired; returns how many refreshes the
    /// provider had answered by then.
    async fn expire(&self) -> u64 {
        eventually(Duration::from_secs(30), async || {
            let status = self.deck.ok(&["status", "gmail", "--json"]).await;
            serde_json::from_str::<Value>(&status).unwrap()["status"] == "expired"
        })
        .await;
        self.refreshes().await
    }

    async fn refreshes(&self) -> u64 {
        self.server.count("grant refresh_token 200").await
    }

    /// The client's run succeeded; else fails with what it and Dovecot said.
    fn ok(&self, out: &Output, what: &str) {
        assert!(
            out.status.success(),
            "{what} failed ({}): {}\n{}\nDovecot's log:\n{}",
            out.status,
            shown(&out.stdout),
            shown(&out.stderr),
            self.dovecot.log()
        );
    }

    /// Dovecot's log comes through its log process, a moment after a client was let in: waits
    /// (at most 10 s) until its logins are `expected`.
    async fn logins_are(&self, expected: &[&str]) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.dovecot.logins() != expected && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            self.dovecot.logins(),
            expected,
            "Dovecot's log:\n{}",
            self.dovecot.log()
        );
    }

    /// neomutt opens the empty INBOX (it says so whether it logged in or not: Dovecot's log
    /// tells).
    fn neomutt_reads(&self) {
        let out = mail_clients::neomutt_check(&self.dovecot, &self.deck);
        let screen = shown(&out.stdout);
        assert!(screen.contains("Mailbox is empty"), "{screen}");
    }

    /// Dovecot logged none of `tokens`.
    fn logged_no_token(&self, tokens: &[&str]) {
        let log = self.dovecot.log();
        assert!(!log.is_empty());
        for token in tokens {
            assert!(!log.contains(token.trim()), "Dovecot's log holds a token");
        }
    }
}

/// A client's output with every line that could carry a SASL string left out (mbsync names the
/// AUTHENTICATE command with its argument when it fails).
fn shown(bytes: &[u8]) -> String {
    text(bytes)
        .lines()
        .filter(|l| !l.contains("AUTHENTICATE") && !l.contains("auth=Bearer"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msmtp_sends_with_xoauth2_and_oauthbearer_before_and_after_the_token_expired() {
    let mail = Mail::start(ACCESS_TTL).await;
    let (dovecot, deck) = (&mail.dovecot, &mail.deck);
    for (mechanism, subject) in [("xoauth2", "first"), ("oauthbearer", "second")] {
        let out = mail_clients::msmtp(dovecot, deck, mechanism, subject);
        mail.ok(&out, &format!("msmtp with {mechanism}"));
    }
    let first = deck.ok(&["token", "gmail"]).await;
    let refreshes = mail.expire().await;
    for (mechanism, subject) in [("xoauth2", "third"), ("oauthbearer", "fourth")] {
        let out = mail_clients::msmtp(dovecot, deck, mechanism, subject);
        mail.ok(&out, &format!("msmtp with {mechanism} after expiry"));
    }
    assert!(mail.refreshes().await > refreshes, "tokendeck refreshed");
    let relayed = mail.relay.messages();
    let subjects: Vec<&str> = relayed
        .iter()
        .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("Subject: ")))
        .collect();
    assert_eq!(subjects, ["first", "second", "third", "fourth"]);
    let submission = ["submission XOAUTH2", "submission OAUTHBEARER"];
    mail.logins_are(&[submission, submission].concat()).await;
    mail.logged_no_token(&[&first, &deck.ok(&["token", "gmail"]).await]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbsync_fetches_with_xoauth2_and_curl_appends_with_oauthbearer_across_an_expiry() {
    let mail = Mail::start(ACCESS_TTL).await;
    let (dovecot, deck) = (&mail.dovecot, &mail.deck);
    let message = dovecot.dir().join("message.eml");
    std::fs::write(
        &message,
        "From: a@example.test\r\nSubject: hi\r\n\r\nHello.\r\n",
    )
    .unwrap();
    let append = format!("--upload-file '{}'", message.display());
    mail.ok(&mail_clients::curl(dovecot, deck, &append), "curl append");
    let (out, fetched) = mail_clients::mbsync(dovecot, deck);
    mail.ok(&out, "mbsync");
    assert_eq!(fetched, 1);

    let stale = deck.ok(&["token", "gmail"]).await;
    let refreshes = mail.expire().await;
    // The expired token itself is refused: what lets the clients in now is a refresh.
    let out = std::process::Command::new("curl")
        .args([
            "--silent",
            "--user",
            MAIL_USER,
            "--oauth2-bearer",
            stale.trim(),
        ])
        .arg("--cacert")
        .arg(dovecot.certificate())
        .arg(format!("imaps://127.0.0.1:{}/INBOX", dovecot.imaps_port))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(67), "curl: login denied");
    mail.ok(
        &mail_clients::curl(dovecot, deck, &append),
        "curl append after expiry",
    );
    let (out, fetched) = mail_clients::mbsync(dovecot, deck);
    mail.ok(&out, "mbsync after expiry");
    assert_eq!(fetched, 2);
    assert!(mail.refreshes().await > refreshes, "tokendeck refreshed");
    let both = ["imap OAUTHBEARER", "imap XOAUTH2"];
    mail.logins_are(&[both, both].concat()).await;
    mail.logged_no_token(&[&stale, &deck.ok(&["token", "gmail"]).await]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neomutt_reads_and_sends_with_xoauth2_before_and_after_the_token_expired() {
    let mail = Mail::start(ACCESS_TTL).await;
    let (dovecot, deck) = (&mail.dovecot, &mail.deck);
    mail.neomutt_reads();
    mail.ok(
        &mail_clients::neomutt_send(dovecot, deck, "first"),
        "neomutt SMTP",
    );
    mail.logins_are(&["imap XOAUTH2", "submission XOAUTH2"])
        .await;
    let refreshes = mail.expire().await;
    mail.neomutt_reads();
    let out = mail_clients::neomutt_send(dovecot, deck, "second");
    mail.ok(&out, "neomutt SMTP after expiry");
    assert!(mail.refreshes().await > refreshes, "tokendeck refreshed");
    let both = ["imap XOAUTH2", "submission XOAUTH2"];
    mail.logins_are(&[both, both].concat()).await;
    assert_eq!(mail.relay.messages().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aerc_opens_the_readme_account_over_imap_with_xoauth2() {
    let mail = Mail::start(3600).await;
    let screen = mail_clients::aerc(
        &mail.dovecot,
        &mail.deck,
        "imap XOAUTH2",
        Duration::from_secs(30),
    );
    assert_eq!(
        count(&mail.dovecot.logins(), "imap XOAUTH2"),
        1,
        "aerc logged in; its screen:\n{screen}\nDovecot's log:\n{}",
        mail.dovecot.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_refuses_a_revoked_token_and_one_the_provider_never_issued() {
    let mail = Mail::start(3600).await;
    let (dovecot, deck) = (&mail.dovecot, &mail.deck);
    mail.ok(&mail_clients::curl(dovecot, deck, ""), "curl");
    let token = deck.ok(&["token", "gmail"]).await;
    mail.server.revoke_access_token(token.trim()).await;
    // tokendeck cannot know of the revocation: it hands out the token, and Dovecot refuses it.
    let out = mail_clients::curl(dovecot, deck, "");
    assert_eq!(out.status.code(), Some(67), "{}", shown(&out.stderr));
    let out = mail_clients::msmtp(dovecot, deck, "xoauth2", "refused");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("authentication failed"),
        "{}",
        shown(&out.stderr)
    );
    // A well-formed token the provider never issued.
    let forged = std::process::Command::new("curl")
        .args([
            "--silent",
            "--user",
            MAIL_USER,
            "--oauth2-bearer",
            "x".repeat(43).as_str(),
        ])
        .arg("--cacert")
        .arg(dovecot.certificate())
        .arg(format!("imaps://127.0.0.1:{}/INBOX", dovecot.imaps_port))
        .output()
        .unwrap();
    assert_eq!(forged.status.code(), Some(67));
    mail.logins_are(&["imap OAUTHBEARER"]).await;
    assert!(mail.relay.messages().is_empty());
    // Each refusal is the provider's word, asked by introspection (logged a moment later).
    let refused = "oauth2 failed: Introspection failed: Provided token is not valid";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while dovecot.log().matches(refused).count() < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = dovecot.log();
    assert_eq!(log.matches(refused).count(), 3, "{log}");
    mail.logged_no_token(&[&token]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_xoauth2_format_is_a_sasl_string_dovecot_takes_as_it_is() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mail = Mail::start(3600).await;
    let sasl = mail
        .deck
        .ok(&["token", "gmail", "--format", "xoauth2"])
        .await;
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", mail.dovecot.imap_port))
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let greeting = lines.next_line().await.unwrap().unwrap();
    assert!(greeting.contains("AUTH=XOAUTH2"), "{greeting}");
    let command = format!("a AUTHENTICATE XOAUTH2 {}\r\n", sasl.trim());
    write.write_all(command.as_bytes()).await.unwrap();
    let answer = loop {
        let line = lines.next_line().await.unwrap().expect("an answer");
        if line.starts_with("a ") {
            break line;
        }
    };
    assert!(answer.starts_with("a OK"), "{answer}");
    mail.logins_are(&["imap XOAUTH2"]).await;
}
