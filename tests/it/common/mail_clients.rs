//! The mail clients of the README's recipes, run for real against the test Dovecot. Each
//! configuration is the README's code block, read from README.md and changed only where a test
//! must (the server, the address, the certificate to trust, the path to tokendeck): what passes
//! here is what the README tells a person to write.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::cli::Deck;
use super::dovecot::{Dovecot, MAIL_USER};
use super::tmux::Tmux;

const README: &str = include_str!("../../../README.md");

/// The address of the README's recipes, which the tests change to [`MAIL_USER`].
const README_ADDRESS: &str = "me@gmail.com";
/// The same, as a URL's user part writes it.
const README_ADDRESS_IN_URL: &str = "me%40gmail.com";

/// The README's code block whose first line is `first_line` (`# ~/.msmtprc`), without it.
pub fn recipe(first_line: &str) -> String {
    let start = README
        .find(&format!("```\n{first_line}\n"))
        .unwrap_or_else(|| panic!("the README has no recipe starting {first_line:?}"));
    let body = &README[start + 4 + first_line.len() + 1..];
    body[..body.find("```").expect("the block ends")].to_string()
}

/// What a test changes in a recipe. A line's key is the start of exactly one line; a text is
/// somewhere in the recipe at least once.
pub enum Change<'a> {
    /// The line becomes this one.
    Replace(&'a str, String),
    /// This line is added after it.
    After(&'a str, String),
    /// This text becomes that one, wherever it is.
    Text(&'a str, String),
}

/// `recipe` with `changes` made, and `tokendeck` at the start of a command run as `deck`'s
/// binary on `deck`'s home.
pub fn adapt(recipe: &str, changes: &[Change], deck: &Deck) -> String {
    let mut out = String::new();
    let mut used = vec![0; changes.len()];
    for line in recipe.lines() {
        let mut kept = line.to_string();
        let mut after = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            match change {
                Change::Replace(key, new) if line.starts_with(key) => {
                    kept = new.clone();
                    used[i] += 1;
                }
                Change::After(key, new) if line.starts_with(key) => {
                    after.push(new.clone());
                    used[i] += 1;
                }
                Change::Text(text, new) if kept.contains(text) => {
                    kept = kept.replace(text, new);
                    used[i] += 1;
                }
                _ => {}
            }
        }
        for line in std::iter::once(&kept).chain(&after) {
            out.push_str(&with_deck(line, deck));
            out.push('\n');
        }
    }
    for (change, count) in changes.iter().zip(used) {
        match change {
            Change::Replace(key, _) | Change::After(key, _) => assert_eq!(
                count, 1,
                "{key:?} must start one line of the recipe:\n{recipe}"
            ),
            Change::Text(text, _) => {
                assert!(count > 0, "{text:?} is not in the recipe:\n{recipe}")
            }
        }
    }
    out
}

/// `tokendeck token …` in a command, run as this deck's tokendeck.
fn with_deck(line: &str, deck: &Deck) -> String {
    let ours = format!(
        "'{}' --home '{}' token ",
        Deck::binary().display(),
        deck.home().display()
    );
    line.replace("tokendeck token ", &ours)
}

/// A mail client run as a person runs it, in a home of the test's (clients write there: neomutt
/// its sent mail, aerc its state), with stdin given.
fn run(dovecot: &Dovecot, program: &str, args: &[&str], stdin: &str) -> Output {
    let home = dovecot.dir().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(program)
        .args(args)
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} must be installed (.ci/run installs it): {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    // A client that waits for a person (a prompt to accept a certificate, say) must not hang
    // the test run. Its output fits the pipes' buffers meanwhile.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{program} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// msmtp sends one message with `subject` through Dovecot's submission service (STARTTLS), by
/// the README's ~/.msmtprc with `auth` set to `mechanism` (`xoauth2`, `oauthbearer`).
pub fn msmtp(dovecot: &Dovecot, deck: &Deck, mechanism: &str, subject: &str) -> Output {
    let config = adapt(
        &recipe("# ~/.msmtprc"),
        &[
            Change::Replace("host ", "host 127.0.0.1".into()),
            Change::Replace("port ", format!("port {}", dovecot.submission_port)),
            Change::After(
                "tls_starttls ",
                format!("tls_trust_file {}", dovecot.certificate().display()),
            ),
            Change::Text(README_ADDRESS, MAIL_USER.into()),
            Change::Replace("auth ", format!("auth {mechanism}")),
        ],
        deck,
    );
    let file = write_private(&dovecot.dir().join("msmtprc"), &config);
    let message = format!("From: {MAIL_USER}\nSubject: {subject}\n\nSent by msmtp.\n");
    let file = file.to_str().unwrap();
    run(
        dovecot,
        "msmtp",
        &["-C", file, "someone@example.test"],
        &message,
    )
}

/// mbsync fetches the INBOX into a maildir of the test's (IMAP over TLS, XOAUTH2 through Cyrus
/// SASL's plugin), by the README's ~/.mbsyncrc; returns its output and how many messages the
/// maildir holds after it.
pub fn mbsync(dovecot: &Dovecot, deck: &Deck) -> (Output, usize) {
    assert!(
        sasl_xoauth2(),
        "mbsync's XOAUTH2 needs Cyrus SASL's plugin: apt-get install libsasl2-modules-kdexoauth2 (.ci/run does it)"
    );
    let maildir = dovecot.dir().join("mbsync");
    // As the README says: mbsync makes the mailboxes, not the folder they are in.
    std::fs::create_dir_all(&maildir).unwrap();
    let config = adapt(
        &recipe("# ~/.mbsyncrc"),
        &[
            // mbsync checks the certificate's DNS names only, not its IP address.
            Change::Replace("Host ", "Host localhost".into()),
            Change::After("Host ", format!("Port {}", dovecot.imaps_port)),
            Change::Text(README_ADDRESS, MAIL_USER.into()),
            Change::After(
                "SSLType ",
                format!("CertificateFile {}", dovecot.certificate().display()),
            ),
            Change::Text("~/Mail/gmail", maildir.display().to_string()),
        ],
        deck,
    );
    let file = write_private(&dovecot.dir().join("mbsyncrc"), &config);
    let out = run(
        dovecot,
        "mbsync",
        &["-c", file.to_str().unwrap(), "gmail"],
        "",
    );
    let count = ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(maildir.join("INBOX").join(sub)).ok())
        .map(|dir| dir.count())
        .sum();
    (out, count)
}

/// Whether Cyrus SASL has an XOAUTH2 plugin (Debian's, in /usr/lib/ARCH/sasl2).
fn sasl_xoauth2() -> bool {
    std::fs::read_dir("/usr/lib").is_ok_and(|dirs| {
        dirs.flatten()
            .any(|dir| dir.path().join("sasl2/libkdexoauth2.so").exists())
    })
}

/// The README's curl line against Dovecot's IMAP over TLS, with `extra` arguments (`-T FILE`
/// to append a message, say); run by the shell, as the README's `$(…)` needs.
pub fn curl(dovecot: &Dovecot, deck: &Deck, extra: &str) -> Output {
    let line = recipe_line("curl --user ");
    let server = format!("imaps://127.0.0.1:{}/", dovecot.imaps_port);
    let line = with_deck(&line, deck)
        .replace(README_ADDRESS, MAIL_USER)
        .replace("imaps://imap.gmail.com/", &server);
    let cacert = dovecot.certificate();
    let command = format!(
        "{line} --silent --show-error --cacert '{}' {extra}",
        cacert.display()
    );
    run(dovecot, "sh", &["-c", &command], "")
}

/// The README's line that starts with `start`.
fn recipe_line(start: &str) -> String {
    README
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("the README has no line starting {start:?}"))
        .to_string()
}

/// The README's Gmail servers and address, made this Dovecot's and its user's (in a URL too).
fn to_dovecot(dovecot: &Dovecot) -> Vec<Change<'static>> {
    vec![
        Change::Text(
            "imap.gmail.com",
            format!("127.0.0.1:{}", dovecot.imaps_port),
        ),
        Change::Text(
            "smtp.gmail.com:587",
            format!("127.0.0.1:{}", dovecot.submission_port),
        ),
        Change::Text(README_ADDRESS, MAIL_USER.into()),
        Change::Text(README_ADDRESS_IN_URL, MAIL_USER.replace('@', "%40")),
    ]
}

/// The README's neomuttrc for this Dovecot: IMAP over TLS, SMTP submission with STARTTLS.
fn neomuttrc(dovecot: &Dovecot, deck: &Deck) -> PathBuf {
    let mut changes = to_dovecot(dovecot);
    changes.push(Change::After(
        "set from ",
        format!(
            "set ssl_ca_certificates_file = \"{}\"",
            dovecot.certificate().display()
        ),
    ));
    let config = adapt(&recipe("# ~/.config/neomutt/neomuttrc"), &changes, deck);
    write_private(&dovecot.dir().join("neomuttrc"), &config)
}

/// neomutt sends one message in batch mode (stdin not a terminal) through submission.
pub fn neomutt_send(dovecot: &Dovecot, deck: &Deck, subject: &str) -> Output {
    let rc = neomuttrc(dovecot, deck);
    let args = [
        "-n",
        "-F",
        rc.to_str().unwrap(),
        "-s",
        subject,
        "someone@example.test",
    ];
    run(dovecot, "neomutt", &args, "Sent by neomutt.\n")
}

/// neomutt opens the INBOX over IMAP and, finding it empty (`-z`), exits (with status 1, and
/// after a refused login as well): Dovecot's log says whether it logged in. neomutt wants a
/// terminal for that; `script` gives it one.
pub fn neomutt_check(dovecot: &Dovecot, deck: &Deck) -> Output {
    let rc = neomuttrc(dovecot, deck);
    let command = format!("env TERM=xterm neomutt -n -F '{}' -z", rc.display());
    run(
        dovecot,
        "script",
        &["--quiet", "--return", "--command", &command, "/dev/null"],
        "",
    )
}

/// aerc, in a terminal of its own (tmux), opens the README's account; returns once Dovecot has
/// let a login in by `method` (or after `limit`), with aerc's screen.
pub fn aerc(dovecot: &Dovecot, deck: &Deck, method: &str, limit: Duration) -> String {
    let config = adapt(
        &recipe("# ~/.config/aerc/accounts.conf"),
        &to_dovecot(dovecot),
        deck,
    );
    let xdg = dovecot.dir().join("xdg");
    std::fs::create_dir_all(xdg.join("aerc")).unwrap();
    write_private(&xdg.join("aerc/accounts.conf"), &config);
    std::fs::write(xdg.join("aerc/aerc.conf"), "").unwrap();
    let home = dovecot.dir().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let before = count(&dovecot.logins(), method);
    let env = [
        format!("XDG_CONFIG_HOME={}", xdg.display()),
        format!("HOME={}", home.display()),
        // Go's TLS reads the roots it trusts from here.
        format!("SSL_CERT_FILE={}", dovecot.certificate().display()),
    ];
    let mut command = vec!["env"];
    command.extend(env.iter().map(String::as_str));
    command.push("aerc");
    let tmux = Tmux::start(&command, 100, 30);
    let deadline = std::time::Instant::now() + limit;
    while count(&dovecot.logins(), method) == before && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.screen()
}

pub fn count(logins: &[String], method: &str) -> usize {
    logins.iter().filter(|m| *m == method).count()
}

/// Writes `text` to `path` with mode 0600 (msmtp refuses a configuration others can read).
fn write_private(path: &Path, text: &str) -> PathBuf {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
    path.to_path_buf()
}
