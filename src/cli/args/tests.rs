//! The arguments' own checks: what each option accepts.

use clap::CommandFactory;

use super::*;
use crate::oauth::presets::Preset;

/// `--preset` offers exactly the asset's presets, in its order: a preset added to the file
/// needs no second list here.
#[test]
fn preset_values_are_the_assets_ids() {
    let command = Cli::command();
    let add = command.find_subcommand("add").expect("an add command");
    let preset = add
        .get_arguments()
        .find(|a| a.get_id() == "preset")
        .expect("a --preset option");
    let offered: Vec<String> = preset
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect();
    let ids: Vec<String> = Preset::all().into_iter().map(|p| p.id).collect();
    assert_eq!(offered, ids);
    assert!(!ids.is_empty());
    let parse = |id: &str| {
        Cli::try_parse_from(["tokendeck", "add", "n", "--client-id", "c", "--preset", id])
    };
    assert!(parse("microsoft").is_ok());
    assert!(parse("Microsoft").is_err() && parse("gitlab").is_err());
}

/// git's protocol is one `key=value` per line: what tokendeck will give git cannot break a line.
#[test]
fn git_settings_that_would_break_gits_protocol_are_refused() {
    let set = |flag: &str, value: &str| Cli::try_parse_from(["tokendeck", "set", "n", flag, value]);
    assert!(set("--git-user", "x-access-token").is_ok());
    assert!(set("--git-user", "a\npassword=b").is_err());
    assert!(set("--git-host", "git.example.com:8443/team").is_ok());
    assert!(set("--git-host", "git.example.com\nhost=evil").is_err());
    assert!(set("--git-host", "user@git.example.com").is_err());
}
