//! Every integration test, in one binary: one module per subject, with the shared harness
//! (`common`: the real oidc-provider, the test browser, the built CLI, tmux) and the TUI fixtures
//! compiled once. One binary links the crate once instead of once per file, and its tests share
//! one pool of threads, so that one test's wait for a token to expire overlaps the others'.
//! `tests/run -- MODULE::` runs one module (`tests/run -- cli::` for this file's `cli`).
//!
//! The tests share one process and one Secret Service. A test never changes the process's
//! environment, current directory or signal handlers (a child's, yes: `Deck::with_env`), nor
//! calls what ends every hook the process started (`app::hooks::stop`); one that stops or
//! locks the Secret Service, or needs it to itself, is `#[ignore = "runs alone: …"]`, and
//! tests/run runs it on its own.

mod common;
mod fixtures;

mod agent;
mod authorization_code;
mod binary;
mod browser;
mod cli;
mod cli_device;
mod cli_forecast;
mod cli_help;
mod cli_settings;
mod cli_stress;
mod daemon;
mod demo;
mod demo_device;
mod device;
mod engine;
mod escaping;
mod event_log;
mod exec;
mod faults;
mod git;
mod hooks;
mod identity;
mod inspect;
mod jwt;
mod keyring;
mod link;
mod mail;
mod notify;
mod refresh;
mod safety;
mod scale;
mod share;
mod systemd;
mod time_zones;
mod token_formats;
mod tui_inspect;
mod tui_tmux;
mod tui_update;
mod tui_views;
