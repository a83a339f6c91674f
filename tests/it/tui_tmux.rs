//! The main path in a real terminal: tmux runs the built binary on a throwaway home, with the real
//! oidc-provider and the real keyring. The test types into the add form, reads the authorization
//! URL off the screen, lets the test browser approve, pastes the redirect URL, and watches the
//! account turn valid, a manual and an automatic refresh land in the log, and `t` call the API.

use crate::common;

use std::time::Duration;

use common::cli::Deck;
use common::tmux::Tmux;
use common::{Browser, Options, TestProvider, eventually, kill_0, pid_in};

/// The authorization URL, put back together from the lines the screen wrapped it into.
fn url_on(screen: &str) -> String {
    screen
        .lines()
        .skip_while(|l| !l.contains("Open this URL"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim_end)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn add_link_refresh_and_test_in_a_real_terminal() {
    // 4 s tokens: the engine refreshes them 2 s ahead of expiry.
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap().to_string();
    let tmux = Tmux::start(&[binary.to_str().unwrap(), "--home", &home], 100, 30);
    let wait = Duration::from_secs(15);
    tmux.wait_for("No accounts yet", wait);

    // The add form: Custom endpoints is the last choice, one step left of the first preset.
    tmux.keys(&["a"]);
    tmux.wait_for("Add account", wait);
    tmux.keys(&["Left"]);
    tmux.wait_for("Custom endpoints", wait);
    let fields = [
        "work".to_string(),
        server.url("/auth"),
        server.url("/token"),
        "basic-client".into(),
        "basic-secret-value".into(),
    ];
    for value in &fields {
        tmux.keys(&["Tab"]);
        tmux.type_text(value);
    }
    tmux.keys(&["Tab", "C-u"]);
    tmux.type_text("http://127.0.0.1:0/callback");
    tmux.keys(&["Tab", "C-u"]);
    tmux.type_text("openid offline_access api");
    tmux.keys(&["Tab", "Tab"]);
    tmux.type_text(&server.url("/api/me"));
    let screen = tmux.screen();
    assert!(
        !screen.contains("basic-secret-value"),
        "the secret is masked:\n{screen}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Added work", wait);

    // Link: read the URL off the screen, approve in the test browser, paste the redirect URL.
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("Waiting for the browser on 127.0.0.1:", wait);
    let url = url_on(&screen);
    let redirect_uri = url::Url::parse(&url)
        .unwrap_or_else(|e| panic!("{e}: {url:?}"))
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    let redirect = Browser::new().authorize(&url, &redirect_uri).await;
    tmux.paste(&redirect);
    // The field is one line scrolled to its caret: the paste's end shows, caret after it.
    let tail: String = redirect
        .chars()
        .rev()
        .take(20)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    tmux.wait_for(&format!("{tail}▏"), wait);
    tmux.keys(&["Enter"]);
    tmux.wait_for("● valid", wait);
    tmux.wait_for("link ", wait);

    // A manual refresh, then an automatic one ahead of expiry, both in the live log.
    tmux.keys(&["r"]);
    tmux.wait_for("manual ", wait);
    tmux.wait_for("ahead of expiry", wait);

    // The API through Session::send.
    tmux.keys(&["t"]);
    tmux.wait_for("the API answered HTTP 200", wait);
    let screen = tmux.screen();
    assert!(screen.contains("test-user"), "{screen}");

    tmux.keys(&["q"]);
    tmux.wait_until_gone(wait);
    assert!(server.count("grant refresh_token 200").await >= 2);
}

/// Outside text and hooks in a real terminal: an API answer that echoes the access token shows
/// its marker in the notice, never the token; and quitting ends a hook the TUI is running — its
/// shell and the child it waits on — and logs it, where before the child ran on.
#[tokio::test(flavor = "multi_thread")]
async fn the_tui_shows_no_echoed_token_and_ends_its_hooks_as_it_quits() {
    let server = TestProvider::start().await;
    let files = tempfile::tempdir().unwrap();
    let (hook, child) = (files.path().join("hook"), files.path().join("child"));
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let on = format!(
        "refreshed=sh -c 'echo $$ > {}; sleep 300 & echo $! > {}; wait'",
        hook.display(),
        child.display()
    );
    deck.ok(&["set", "work", "--on", &on]).await;
    let token = deck.ok(&["token", "work"]).await.trim().to_string();
    let echo = format!(r#"{{"error":"invalid_token","received":"{token}"}}"#);
    server.fault_body("/api/me", &echo, "status=200").await;

    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap().to_string();
    let tmux = Tmux::start(&[binary.to_str().unwrap(), "--home", &home], 160, 30);
    let wait = Duration::from_secs(15);
    tmux.wait_for("● valid", wait);
    tmux.keys(&["t"]);
    let screen = tmux.wait_for("the API answered HTTP 200", wait);
    assert!(
        screen.contains(r#""received":"[redacted access token]"}"#),
        "{screen}"
    );
    assert!(
        !screen.contains(&token[..12]),
        "a piece of the token:\n{screen}"
    );

    // A manual refresh: its hook runs in the TUI, and waits on its child.
    tmux.keys(&["r"]);
    let (hook, child) = (pid_in(&hook).await, pid_in(&child).await);
    tmux.keys(&["q"]);
    tmux.wait_until_gone(wait);
    eventually(Duration::from_secs(5), async || {
        !kill_0(&hook) && !kill_0(&child)
    })
    .await;
    let log = deck.ok(&["log", "work"]).await;
    assert!(
        log.lines().any(|l| l.contains("hook refreshed")
            && l.contains("stopped: tokendeck exited while it ran, and was ended")),
        "{log}"
    );
}

/// The trap of issue 8: after a refresh the engine napped 30 s instead of waking at the next due
/// time, so 20 s tokens were expired a third of the time. Sampled every second for four and a
/// half lifetimes of 12 s tokens (54 s; that nap would leave them expired most of it), the
/// account's row must never say expired nor show a time left of 0 — and the engine must still not
/// refresh more than once per quarter-lifetime.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_fresh_token_never_lapses_on_screen() {
    const TTL: u64 = 12;
    const SAMPLES: u64 = 54;
    let server = TestProvider::start_with(Options {
        access_ttl: TTL,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap().to_string();
    let tmux = Tmux::start(&[binary.to_str().unwrap(), "--home", &home], 100, 30);
    tmux.wait_for("● valid", Duration::from_secs(15));
    let before = server.count("grant refresh_token 200").await;

    let start = std::time::Instant::now();
    let mut lapses = Vec::new();
    for second in 0..SAMPLES {
        let screen = tmux.screen();
        let row = screen
            .lines()
            .find(|l| l.starts_with("work "))
            .unwrap_or_else(|| panic!("no row for the account at {second} s:\n{screen}"))
            .to_string();
        // After the badge: the health, the time left, the last refresh, two spaces apart.
        // (● for a state, a spinner ◐◓◑◒ while a refresh runs.)
        let cells: Vec<&str> = row
            .split(['●', '◐', '◓', '◑', '◒'])
            .nth(1)
            .unwrap_or_default()
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let (health, left) = (
            cells.first().copied().unwrap_or(""),
            cells
                .get(1)
                .copied()
                .unwrap_or("")
                .trim_end_matches(" left"),
        );
        // Every sample must be read: a row that does not parse would hide a lapse.
        assert!(
            matches!(health, "valid" | "expiring" | "refreshing" | "expired")
                && (left.ends_with('s') || left.starts_with("expired")),
            "an unreadable row at {second} s: {row:?}"
        );
        if health == "expired" || left == "0s" || left.starts_with("expired") {
            lapses.push(format!("{second:>3} s: {}", row.trim()));
        }
        let next = Duration::from_secs(second + 1);
        if let Some(pause) = next.checked_sub(start.elapsed()) {
            tokio::time::sleep(pause).await;
        }
    }
    tmux.keys(&["q"]);
    tmux.wait_until_gone(Duration::from_secs(10));

    assert!(
        lapses.is_empty(),
        "the token lapsed on screen:\n{}",
        lapses.join("\n")
    );
    let refreshes = server.count("grant refresh_token 200").await - before;
    // Due every 6 s (half of 12 s); never more often than every 3 s (a quarter).
    assert!(
        (SAMPLES / TTL..=SAMPLES / (TTL / 4) + 1).contains(&refreshes),
        "{refreshes} refreshes in {SAMPLES} s of {TTL} s tokens"
    );
    assert_eq!(server.count("refresh token reused").await, 0);
}

/// Starts the TUI on `deck`'s home in a `width`×`height` terminal, once it shows `ready`.
fn tui(deck: &Deck, width: u16, height: u16, ready: &str) -> Tmux {
    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap().to_string();
    let env = deck.env_words();
    let mut command = vec!["env"];
    command.extend(env.iter().map(String::as_str));
    command.extend([binary.to_str().unwrap(), "--home", &home]);
    let tmux = Tmux::start(&command, width, height);
    tmux.wait_for(ready, Duration::from_secs(15));
    tmux
}

fn quit(tmux: &Tmux) {
    tmux.keys(&["q"]);
    tmux.wait_until_gone(Duration::from_secs(10));
}

/// Issue 10, item 1: after the form adds an account, `l` links that account — not the one that
/// happened to sit on the selected row before.
#[tokio::test(flavor = "multi_thread")]
async fn an_added_account_is_selected_and_l_links_it() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "alpha").await;
    deck.add(&server, "zulu").await;
    let tmux = tui(&deck, 100, 30, " Details: alpha ");
    let wait = Duration::from_secs(15);

    tmux.keys(&["a"]);
    tmux.wait_for("Add account", wait);
    tmux.keys(&["Left"]);
    tmux.wait_for("Custom endpoints", wait);
    for value in [
        "mid".to_string(),
        server.url("/auth"),
        server.url("/token"),
        "basic-client".into(),
        "basic-secret-value".into(),
    ] {
        tmux.keys(&["Tab"]);
        tmux.type_text(&value);
    }
    tmux.keys(&["Tab", "C-u"]);
    tmux.type_text("http://127.0.0.1:0/callback");
    tmux.keys(&["Tab", "C-u"]);
    tmux.type_text("openid offline_access api");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Added mid", wait);
    // "mid" sorts between the two: the selection moved to it, not to the row number it had.
    tmux.wait_for(" Details: mid ", wait);
    tmux.keys(&["l"]);
    tmux.wait_for(" Link mid ", wait);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" Details: mid ", wait);
    quit(&tmux);
}

/// Where the link screen says the browser is awaited.
fn listening_on(screen: &str) -> std::net::SocketAddr {
    let after = screen
        .split("Waiting for the browser on ")
        .nth(1)
        .unwrap_or_else(|| panic!("no listener on screen:\n{screen}"));
    let addr: String = after.chars().take_while(|c| !c.is_whitespace()).collect();
    addr.parse()
        .unwrap_or_else(|e| panic!("{e}: {addr:?} in\n{screen}"))
}

/// Whether anything accepts connections at `addr` now.
async fn accepts(addr: std::net::SocketAddr) -> bool {
    tokio::net::TcpStream::connect(addr).await.is_ok()
}

/// Issue 20: the link screen drives the link session, whose rules are the rules. The browser
/// arriving at the loopback listener with a refusal ends the link — the listener closes, and the
/// screen says why and offers r — and Esc on a link under way stops its listener at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_browser_answer_ends_the_link_and_esc_stops_the_listener_at_once() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    // No device grant offered: `l` links by the URL, listening. Too small for the URL's QR code
    // beside it, so the URL is read off the screen whole.
    let tmux = tui(&deck, 100, 30, " Details: work ");
    let wait = Duration::from_secs(15);

    tmux.keys(&["l"]);
    let screen = tmux.wait_for("Waiting for the browser on 127.0.0.1:", wait);
    let addr = listening_on(&screen);
    assert!(accepts(addr).await, "the listener listens");
    let url = url::Url::parse(&url_on(&screen)).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    // What the provider redirects the browser to when the user declines.
    let refused = format!("http://{addr}/callback?error=access_denied&state={state}");
    // The listener answers the browser with a page of its own; the screen is what matters here.
    reqwest::get(&refused).await.unwrap();
    let screen = tmux.wait_for("Access was denied at the provider", wait);
    assert!(
        screen.contains("Press r to start the link again, or Esc to go back."),
        "{screen}"
    );
    assert!(!screen.contains("tokendeck link"), "{screen}");
    eventually(wait, async || !accepts(addr).await).await;

    // r starts again, listening anew; Esc gives the link up and its listener closes with it.
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("Waiting for the browser on 127.0.0.1:", wait);
    let again = listening_on(&screen);
    assert!(accepts(again).await, "the new link listens");
    tmux.keys(&["Escape"]);
    tmux.wait_for(" Details: work ", wait);
    eventually(wait, async || !accepts(again).await).await;
    quit(&tmux);
}

/// Issue 10, item 7: on a list longer than the screen, PgDn, End, PgUp and g move the selection
/// by pages and to the ends, and the selected row is always on screen.
#[tokio::test(flavor = "multi_thread")]
async fn paging_a_long_list_keeps_the_selection_on_screen() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    for i in 0..37 {
        deck.add(&server, &format!("acct-{i:02}")).await;
    }
    let tmux = tui(&deck, 80, 24, " Details: acct-00 ");
    let wait = Duration::from_secs(10);
    // 80×24: the table shows 8 rows, and a page is 8.
    for (key, selected) in [
        ("PageDown", "acct-08"),
        ("PageDown", "acct-16"),
        ("End", "acct-36"),
        ("PageUp", "acct-28"),
        ("g", "acct-00"),
        ("G", "acct-36"),
        ("Home", "acct-00"),
    ] {
        tmux.keys(&[key]);
        let screen = tmux.wait_for(&format!(" Details: {selected} "), wait);
        assert!(
            screen
                .lines()
                .any(|l| l.starts_with(&format!("{selected} "))),
            "after {key}, {selected} is not in the table:\n{screen}"
        );
    }
    let screen = tmux.screen();
    assert!(screen.contains("─ 1–8 of 37"), "{screen}");
    quit(&tmux);
}

/// Issue 10, item 4: on a classic 80×24 terminal the details show when the token expires and
/// how the last refresh went.
#[tokio::test(flavor = "multi_thread")]
async fn details_at_80x24_show_the_expiry_and_the_last_refresh() {
    let server = TestProvider::start().await;
    let deck = Deck::new().with_env("TZ", "UTC");
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let tmux = tui(&deck, 80, 24, "● valid");
    let wait = Duration::from_secs(15);
    let screen = tmux.wait_for("last refresh  never", wait);
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("expires       ") && l.contains(" UTC (in ")),
        "{screen}"
    );
    tmux.keys(&["r"]);
    let deadline = std::time::Instant::now() + wait;
    let mut screen = tmux.screen();
    while !screen
        .lines()
        .any(|l| l.starts_with("last refresh  ") && l.ends_with(": ok"))
    {
        assert!(std::time::Instant::now() < deadline, "{screen}");
        std::thread::sleep(Duration::from_millis(100));
        screen = tmux.screen();
    }
    assert!(screen.contains("refresh token held"), "{screen}");
    quit(&tmux);
}

/// The token on screen: the lines below "access token  c copies it", up to the next field.
fn token_on(screen: &str) -> String {
    screen
        .lines()
        .skip_while(|l| !l.contains("c copies it · s hides it"))
        .skip(1)
        // A token has no spaces; the next field ("identity      …", "scopes        …") has.
        .take_while(|l| {
            let line = l.trim_end();
            !line.is_empty() && !line.contains(' ') && !l.starts_with('│')
        })
        .map(str::trim_end)
        .collect()
}

/// Issue 10, item 2: a shown token is the current one — after a refresh here (r) and after one
/// by another process (`tokendeck refresh`), it is what `tokendeck token` prints.
#[tokio::test(flavor = "multi_thread")]
async fn a_shown_token_stays_the_current_one() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let tmux = tui(&deck, 100, 30, "● valid");
    let wait = Duration::from_secs(15);
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("c copies it · s hides it", wait);
    let first = token_on(&screen);
    assert_eq!(first, deck.ok(&["token", "work"]).await.trim(), "{screen}");

    let mut shown = first.clone();
    for (how, refresh) in [("r here", true), ("tokendeck refresh", false)] {
        if refresh {
            tmux.keys(&["r"]);
        } else {
            deck.ok(&["refresh", "work"]).await;
        }
        let before = shown.clone();
        let deadline = std::time::Instant::now() + wait;
        let mut screen = tmux.screen();
        while token_on(&screen) == before || token_on(&screen).is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "after {how}, the old token is still shown:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
            screen = tmux.screen();
        }
        shown = token_on(&screen);
        assert_eq!(
            shown,
            deck.ok(&["token", "work"]).await.trim(),
            "after {how}:\n{screen}"
        );
    }
    assert!(server.count("grant refresh_token 200").await >= 2);
    quit(&tmux);
}

/// Issue 10: the caret was drawn at the end of a field even after ←, so a letter typed then
/// landed somewhere the user could not see. In a real terminal: type "wrk", ← twice, "o": the
/// pane shows "wo▏rk", and the account the real provider's endpoints get is named "work".
#[tokio::test(flavor = "multi_thread")]
async fn a_letter_typed_after_left_lands_where_the_caret_is() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let binary = Deck::binary();
    let home = deck.home().to_str().unwrap().to_string();
    let tmux = Tmux::start(&[binary.to_str().unwrap(), "--home", &home], 80, 24);
    let wait = Duration::from_secs(15);
    tmux.wait_for("No accounts yet", wait);
    tmux.keys(&["a"]);
    tmux.wait_for("Add account", wait);
    tmux.keys(&["Left"]);
    tmux.wait_for("Custom endpoints", wait);
    tmux.keys(&["Tab"]);
    tmux.type_text("wrk");
    tmux.wait_for("wrk▏", wait);
    tmux.keys(&["Left", "Left"]);
    tmux.wait_for("w▏rk", wait);
    tmux.type_text("o");
    let screen = tmux.wait_for("wo▏rk", wait);
    assert!(
        !screen.contains("work▏"),
        "the caret stays mid-field:\n{screen}"
    );

    // Shell keys in a real terminal: Ctrl-E to the end, Ctrl-A back to the start.
    tmux.keys(&["C-e"]);
    tmux.wait_for("work▏", wait);
    tmux.keys(&["C-a"]);
    tmux.wait_for("▏work", wait);

    for value in [
        server.url("/auth"),
        server.url("/token"),
        "public-client".into(),
    ] {
        tmux.keys(&["Tab"]);
        tmux.type_text(&value);
    }
    tmux.keys(&["Enter"]);
    tmux.wait_for("Added work", wait);
    let accounts = std::fs::read_to_string(deck.home().join("config/accounts.toml")).unwrap();
    assert!(accounts.contains("[accounts.work]"), "{accounts}");
    tmux.keys(&["q"]);
    tmux.wait_until_gone(wait);
}

/// Issue 11: at 80×24 `l` links by device code — the code large, the QR code of the verification
/// URL beside it and readable from the real terminal's screen — and approving elsewhere links.
#[tokio::test(flavor = "multi_thread")]
async fn at_80x24_the_device_view_shows_the_code_and_a_qr_code_and_links_on_approval() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    let device = server.url("/device/auth");
    let out = deck
        .add_with(
            &server,
            "work",
            "basic-secret-value",
            &["--device-authorization-url", &device],
        )
        .await;
    assert!(out.status.success(), "{}", common::cli::text(&out.stderr));
    let tmux = tui(&deck, 80, 24, " Details: work ");
    let wait = Duration::from_secs(15);
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("waiting for the approval", wait);
    let url = common::qr::decode(&screen)
        .unwrap_or_else(|| panic!("no readable QR code on the screen:\n{screen}"));
    assert!(url.starts_with(&server.url("/device?user_code=")), "{url}");
    let code = url.rsplit('=').next().unwrap();
    let spaced: Vec<String> = code.chars().map(|c| c.to_string()).collect();
    assert!(
        screen.contains(&spaced.join(" ")),
        "the code, large:\n{screen}"
    );
    Browser::new().approve_device(&url, true).await;
    tmux.wait_for("Linked work", wait);
    let token = deck.ok(&["token", "work"]).await;
    assert!(!token.trim().is_empty());
    quit(&tmux);
}

/// Issue 12, item 3: the TUI's clock is the user's (`TZ`), its zone named in the log's title; on
/// the night New York's clocks go back, both 01:30s are listed, newest first, in the log's order.
#[tokio::test(flavor = "multi_thread")]
async fn the_log_is_on_the_users_clock() {
    let server = TestProvider::start().await;
    let events = ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"];

    let deck = Deck::new().with_env("TZ", "Asia/Tokyo");
    deck.add(&server, "work").await;
    deck.write_events(&events);
    let tmux = tui(&deck, 100, 30, " Live log · JST ");
    let screen = tmux.wait_for("14:30:00", Duration::from_secs(15));
    let times: Vec<&str> = log_times(&screen);
    assert_eq!(times, ["15:30:00", "14:30:00"], "{screen}");
    quit(&tmux);

    let deck = Deck::new().with_env("TZ", "America/New_York");
    deck.add(&server, "work").await;
    deck.write_events(&events);
    // Today's abbreviation in the title (EST or EDT, by the date the test runs).
    let tmux = tui(&deck, 100, 30, " Live log · E");
    let screen = tmux.wait_for("01:30:00", Duration::from_secs(15));
    assert_eq!(log_times(&screen), ["01:30:00", "01:30:00"], "{screen}");
    quit(&tmux);
}

/// The times at the start of the live log's lines, top first.
fn log_times(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .skip_while(|l| !l.contains(" Live log "))
        .skip(1)
        .filter(|l| l.contains("ahead of expiry"))
        .map(|l| &l[..8])
        .collect()
}

/// Issue 12, item 2: `i` opens the inspect screen in a real terminal — the ID token verified with
/// the provider's key — then `i` there asks introspection, and Esc goes back.
#[tokio::test(flavor = "multi_thread")]
async fn i_inspects_the_tokens_and_introspects_on_request() {
    let server = TestProvider::start().await;
    let deck = Deck::new().with_env("TZ", "Asia/Tokyo");
    deck.add_discovered(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let tmux = tui(&deck, 80, 24, " Details: work ");
    let wait = Duration::from_secs(15);

    tmux.keys(&["i"]);
    let screen = tmux.wait_for("verified with the provider's key", wait);
    assert!(screen.contains(" Inspect: work "), "{screen}");
    // Issue 19, item 8: the verdict (signature and claims) heads the ID token.
    let verdict = screen
        .lines()
        .find(|l| l.trim_start().starts_with("verdict"));
    assert!(
        verdict.is_some_and(|l| l.contains("verified: signed by the provider, and its claims")),
        "{screen}"
    );
    assert!(
        screen.contains(" JST ("),
        "times on the user's clock: {screen}"
    );
    assert!(
        screen.contains("i introspect"),
        "the footer names the key: {screen}"
    );
    tmux.keys(&["G"]);
    tmux.wait_for("not asked", wait);
    tmux.keys(&["i"]);
    let screen = tmux.wait_for("yes: the provider accepts", wait);
    assert!(screen.contains("basic-client"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for(" Details: work ", wait);
    quit(&tmux);
}

/// The TUI on `deck`'s home with its stderr going to `stderr` (a terminal keeps nothing once the
/// program is gone), once it shows `ready`.
fn tui_keeping_stderr(deck: &Deck, stderr: &std::path::Path, ready: &str) -> Tmux {
    let binary = Deck::binary();
    let (home, stderr) = (deck.home().to_str().unwrap(), stderr.to_str().unwrap());
    let script = r#"exec "$0" --home "$1" 2>"$2""#;
    let tmux = Tmux::start(
        &["sh", "-c", script, binary.to_str().unwrap(), home, stderr],
        100,
        30,
    );
    tmux.wait_for(ready, Duration::from_secs(15));
    tmux
}

/// `q` while a refresh is out (the provider rotated and holds its answer) says on screen which
/// refresh it waits for, and ends once it is stored; a second `q` ends at once, and what that
/// lost is said once the terminal is back.
#[tokio::test(flavor = "multi_thread")]
async fn q_waits_on_screen_for_a_refresh_under_way_and_a_second_q_gives_it_up() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let stderr = deck.home().join("tui.stderr");

    // Waiting: the refresh is stored, and the stored refresh token works.
    server.fault("/token", 1, "delay_after_ms=2500").await;
    let tmux = tui_keeping_stderr(&deck, &stderr, "● valid");
    let pid = tmux.pid();
    tmux.keys(&["r"]);
    common::eventually(Duration::from_secs(10), async || {
        server.count("grant refresh_token 200").await == 1
    })
    .await;
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(
        "Quitting: waiting for work's refresh to be stored (up to 33s)",
        Duration::from_secs(5),
    );
    assert!(screen.contains("q/Ctrl-C quit now"), "{screen}");
    common::gone(pid, Duration::from_secs(10)).await;
    assert_eq!(std::fs::read_to_string(&stderr).unwrap(), "");
    deck.ok(&["refresh", "work"]).await;
    assert_eq!(server.count("refresh token reused").await, 0);

    // Giving up: at once, and said.
    server.fault("/token", 1, "delay_after_ms=10000").await;
    let tmux = tui_keeping_stderr(&deck, &stderr, "● valid");
    let pid = tmux.pid();
    let rotated = server.count("grant refresh_token 200").await;
    tmux.keys(&["r"]);
    common::eventually(Duration::from_secs(10), async || {
        server.count("grant refresh_token 200").await > rotated
    })
    .await;
    tmux.keys(&["q"]);
    tmux.wait_for(
        "Quitting: waiting for work's refresh",
        Duration::from_secs(5),
    );
    let again = std::time::Instant::now();
    tmux.keys(&["q"]);
    common::gone(pid, Duration::from_secs(5)).await;
    assert!(
        again.elapsed() < Duration::from_secs(2),
        "{:?}",
        again.elapsed()
    );
    let said = std::fs::read_to_string(&stderr).unwrap();
    assert!(
        said.contains("tokendeck: quit without waiting: work's refresh may be lost.")
            && said.contains("`tokendeck link work`"),
        "{said:?}"
    );
}

/// A broken accounts file in the TUI: said where the list is, the list read before kept and
/// refreshed at idle CPU, and read again by itself once mended.
#[tokio::test(flavor = "multi_thread")]
async fn a_broken_accounts_file_keeps_the_list_fresh_at_idle_cpu_until_it_is_mended() {
    // 4 s tokens: due every 2 s.
    let server = TestProvider::start_with(Options {
        access_ttl: 4,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let tmux = tui(&deck, 100, 30, "● valid");
    let pid = tmux.pid();
    let store = tokendeck::store::Store::new(tokendeck::store::Home::rooted(deck.home()).unwrap());
    let refreshed_here = || {
        store
            .log()
            .read_all()
            .into_iter()
            .filter(|e| e.pid == pid && e.outcome == tokendeck::store::Outcome::Ok)
            .count()
    };
    common::eventually(Duration::from_secs(10), async || refreshed_here() > 0).await;

    let file = store.home().accounts_file();
    let whole = std::fs::read(&file).unwrap();
    common::replace_file(&file, &whole[..whole.len() / 2]);
    let screen = tmux.wait_for("is broken at line", Duration::from_secs(10));
    assert!(
        screen.contains("Below: the list as last read") && screen.contains("work "),
        "{screen}"
    );
    let (ticks, since, before) = (
        common::cpu_ticks(pid),
        std::time::Instant::now(),
        refreshed_here(),
    );
    common::eventually(Duration::from_secs(30), async || {
        refreshed_here() >= before + 3
    })
    .await;
    let used = common::cpu_ticks(pid) - ticks;
    // A second's tick, a redraw and a refresh every 2 s: far under a tenth of a core.
    assert!(
        used * 10 < since.elapsed().as_secs().max(1) * 100,
        "{used} ticks of CPU in {:?} while the file is broken",
        since.elapsed()
    );
    common::replace_file(&file, &whole);
    tmux.wait_for_absence("is broken at line", Duration::from_secs(10));
    quit(&tmux);
    assert_eq!(server.count("refresh token reused").await, 0);
}

/// Issue 21, items 8 and 10, in a real terminal: Tab focuses the log, End scrolls it to its
/// oldest line and the title says where it is; Home brings the newest back. Then Ctrl-C quits
/// from the add form, where it used to be swallowed by the field.
#[tokio::test(flavor = "multi_thread")]
async fn the_log_scrolls_with_its_position_and_ctrl_c_quits_from_the_add_form() {
    let server = TestProvider::start().await;
    let deck = Deck::new().with_env("TZ", "UTC");
    deck.add(&server, "work").await;
    let times: Vec<String> = (0..30)
        .map(|i| format!("2025-01-01T10:{i:02}:00Z"))
        .collect();
    let times: Vec<&str> = times.iter().map(String::as_str).collect();
    deck.write_events(&times);
    let tmux = tui(&deck, 80, 24, "10:29:00");
    let wait = Duration::from_secs(15);

    tmux.keys(&["Tab", "Tab"]);
    let screen = tmux.wait_for(" ▸ Live log", wait);
    assert!(screen.contains("lines 1–"), "{screen}");
    assert!(
        !screen.contains("10:00:00"),
        "the oldest line is below: {screen}"
    );
    tmux.keys(&["End"]);
    let screen = tmux.wait_for("–30 of 30", wait);
    assert!(
        screen.contains("10:00:00"),
        "the oldest line shows: {screen}"
    );
    assert!(
        !screen.contains("10:29:00"),
        "the newest is above: {screen}"
    );
    tmux.keys(&["k"]);
    tmux.wait_for("–29 of 30", wait);
    tmux.keys(&["Home"]);
    let screen = tmux.wait_for("10:29:00", wait);
    assert!(screen.contains("lines 1–"), "{screen}");

    tmux.keys(&["Escape", "a"]);
    tmux.wait_for("Add account", wait);
    tmux.keys(&["Tab"]);
    tmux.type_text("half-typed");
    tmux.keys(&["C-c"]);
    tmux.wait_until_gone(Duration::from_secs(10));
}

/// The scopes `name` has in `deck`'s accounts file, as `tokendeck show --json` reads them.
async fn stored_scopes(deck: &Deck, name: &str) -> Vec<String> {
    let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
    let accounts = tokendeck::store::accounts::Accounts::load(&home).unwrap();
    accounts.get(name).unwrap().scopes.clone()
}

/// Issue 21, item 3: `e` on a real, linked account opens the form filled in; Esc changes
/// nothing; Ctrl-U and typing replace the scopes, Enter stores them in the accounts file, and the
/// status line says that the grant held was made under the old scopes and `l` links again.
#[tokio::test(flavor = "multi_thread")]
async fn e_edits_a_linked_accounts_scopes_and_says_to_link_again() {
    let server = TestProvider::start().await;
    let deck = Deck::new();
    deck.add(&server, "work").await;
    assert!(deck.link("work").await.status.success());
    let before = stored_scopes(&deck, "work").await;
    assert_eq!(before, ["openid", "offline_access", "api"]);
    let tmux = tui(&deck, 100, 30, "● valid");
    let wait = Duration::from_secs(15);

    tmux.keys(&["e"]);
    let screen = tmux.wait_for(" Edit work ", wait);
    assert!(
        screen.contains("› Client ID         basic-client"),
        "{screen}"
    );
    assert!(
        screen.contains("  Scopes            openid offline_access api"),
        "{screen}"
    );
    tmux.type_text("someone-else");
    tmux.wait_for("› Client ID         someone-else", wait);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" Details: work ", wait);
    assert_eq!(
        stored_scopes(&deck, "work").await,
        before,
        "Esc changed nothing"
    );

    tmux.keys(&["e"]);
    tmux.wait_for(" Edit work ", wait);
    // Client ID → secret → authorization URL → token URL → callback → scopes.
    tmux.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "C-u"]);
    tmux.wait_for("› Scopes            ▏", wait);
    tmux.type_text("openid   api");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Changed work: scopes.", wait);
    assert!(screen.contains(" Details: work "), "{screen}");
    let said: String = screen
        .lines()
        .skip_while(|l| !l.starts_with("Changed work"))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(said.contains("granted under the old scopes"), "{screen}");
    assert!(said.contains("press l to link it again"), "{screen}");
    assert_eq!(stored_scopes(&deck, "work").await, ["openid", "api"]);

    // Issue 22, item 6: the edit form's last field shares the account over ssh (Space, or ←/→).
    tmux.keys(&["e"]);
    tmux.wait_for(" Edit work ", wait);
    tmux.keys(&["BTab"]);
    tmux.wait_for("› Shared over ssh   ◀ no ▶", wait);
    tmux.keys(&["Space"]);
    tmux.wait_for("› Shared over ssh   ◀ yes ▶", wait);
    tmux.keys(&["Enter"]);
    tmux.wait_for("work is shared over ssh now", wait);
    // Details say so, with what it means.
    tmux.wait_for("shared        over ssh: share.sock (daemon --share)", wait);
    let home = tokendeck::store::Home::rooted(deck.home()).unwrap();
    let shared = |home: &tokendeck::store::Home| {
        let accounts = tokendeck::store::accounts::Accounts::load(home).unwrap();
        accounts.get("work").unwrap().shared
    };
    assert!(shared(&home), "the accounts file says it is shared");
    let show = deck.run(&["show", "work", "--json"], "").await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&show.stdout).unwrap()["shared"],
        true
    );

    quit(&tmux);
}

/// Issue 21, item 5: a client the provider gives no refresh token is warned of at once, with
/// the app's advice and the keys that follow it; the table and the details show the state.
#[tokio::test(flavor = "multi_thread")]
async fn a_link_without_a_refresh_token_is_warned_of_at_once_and_shown_in_the_table() {
    // oidc-provider's own rule: a refresh token only for offline_access, with prompt=consent.
    let server = TestProvider::start_with(Options {
        refresh_only_offline: true,
        ..Options::default()
    })
    .await;
    let deck = Deck::new();
    let args = [
        "add",
        "work",
        "--issuer",
        &server.issuer,
        "--client-id",
        "public-client",
        "--redirect-uri",
        "http://127.0.0.1:0/callback",
        "--scope",
        "openid api",
    ];
    let out = deck.run(&args, "").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tmux = tui(&deck, 200, 60, "● not linked");
    let wait = Duration::from_secs(15);
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("Waiting for the browser on 127.0.0.1:", wait);
    let url = url_on(&screen);
    let redirect_uri = url::Url::parse(&url)
        .unwrap_or_else(|e| panic!("{e}: {url:?}"))
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    let redirect = Browser::new().authorize(&url, &redirect_uri).await;
    tmux.paste(&redirect);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Linked work, but no refresh token was issued", wait);
    let said: String = screen
        .lines()
        .skip_while(|l| !l.starts_with("Linked work"))
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains(
            "want the offline_access scope with prompt=consent: press e to add it, then l."
        ),
        "{screen}"
    );
    let screen = tmux.wait_for("● no refresh token", wait);
    assert!(
        screen.contains("refresh token none: when it expires, press l"),
        "{screen}"
    );
    quit(&tmux);
}
