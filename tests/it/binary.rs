//! The binary as it is built: on Linux with glibc, libgcc's unwinder linked in (build.rs), so no
//! libgcc_s is loaded at each start, and panics still unwind (the demo's panic tests, through
//! this same binary); host names resolved and the user's home found through the system's libc.

use crate::common;

use common::cli::{Deck, text};
use common::{Options, TestProvider};

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn on_glibc_linux_tokendeck_loads_no_libgcc_s() {
    let out = std::process::Command::new("readelf")
        .arg("--dynamic")
        .arg(Deck::binary())
        .output()
        .expect("readelf (binutils, which linking needs) is installed");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dynamic = text(&out.stdout);
    let needed: Vec<&str> = dynamic.lines().filter(|l| l.contains("(NEEDED)")).collect();
    assert!(
        needed.iter().any(|l| l.contains("libc.so")),
        "readelf found no libc among the libraries needed:\n{dynamic}"
    );
    assert!(
        !needed.iter().any(|l| l.contains("libgcc_s")),
        "libgcc_s is still loaded at start (build.rs's libgcc_eh was not linked): {needed:#?}"
    );
}

#[tokio::test]
async fn a_provider_named_by_host_name_is_found_and_linked() {
    let server = TestProvider::start_with(Options {
        host_name: "localhost",
        ..Options::default()
    })
    .await;
    assert!(
        server.issuer.starts_with("http://localhost:"),
        "{}",
        server.issuer
    );
    let deck = Deck::new();
    // Discovery, the code exchange and the refresh all go to http://localhost:PORT.
    deck.add_discovered(&server, "work").await;
    let linked = deck.link("work").await;
    assert!(linked.status.success(), "{}", text(&linked.stderr));
    let first = deck.ok(&["token", "work"]).await;
    deck.ok(&["refresh", "work"]).await;
    let second = deck.ok(&["token", "work"]).await;
    assert!(!first.trim().is_empty());
    assert_ne!(
        first, second,
        "the refresh through localhost gave a new token"
    );
}

#[tokio::test]
async fn without_home_set_the_user_s_home_is_found_in_the_password_database() {
    // The platform's folders need the user's home: without HOME it comes from getpwuid (NSS,
    // which a static glibc still reads). The XDG variables keep the folders in a throwaway place.
    let place = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(Deck::binary())
        .arg("status")
        .env_remove("HOME")
        .env_remove("TOKENDECK_HOME")
        .env("XDG_CONFIG_HOME", place.path().join("config"))
        .env("XDG_STATE_HOME", place.path().join("state"))
        .env("XDG_DATA_HOME", place.path().join("data"))
        .output()
        .await
        .unwrap();
    // Without a home, `status` says none is known (`--home DIR` or TOKENDECK_HOME) and fails.
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
