//! `tokendeck man` and `--help`: the manual page, rendered by the real `man` and `groff`, holds
//! every command, exit code and environment variable there is.

use std::path::Path;
use std::process::{Command, Stdio};

use clap::CommandFactory;
use tokendeck::cli::{Cli, EXIT_CODES};

use crate::common::cli::{Deck, text};

/// `tokendeck man`, run as a user would without any home: it needs none, and makes none.
fn manual_page() -> Vec<u8> {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(Deck::binary())
        .arg("man")
        .env_remove("TOKENDECK_HOME")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
    out.stdout
}

/// Runs `program args` with `input` on stdin: its stdout and stderr.
fn filter(program: &str, args: &[&str], input: &[u8]) -> (String, String) {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .env("MANWIDTH", "100")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e} (Debian: apt-get install man-db groff-base)"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{program}: {}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

/// Every `TOKENDECK_…` name in the source: the variables tokendeck reads or sets for a hook.
fn variables_in(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            variables_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for (at, _) in source.match_indices("TOKENDECK_") {
                let name: String = source[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                if !found.contains(&name) {
                    found.push(name);
                }
            }
        }
    }
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of a rendered page under `heading`, up to the next section.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let start = page
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no {heading} in\n{page}"));
    let body = &page[start + heading.len() + 2..];
    // Headings start at the margin; everything under them is indented.
    let end = body
        .match_indices('\n')
        .map(|(at, _)| at)
        .find(|&at| body[at + 1..].starts_with(|c: char| !c.is_whitespace()))
        .unwrap_or(body.len());
    &body[..end]
}

#[test]
fn the_manual_page_renders_without_a_warning_and_holds_every_command_exit_code_and_variable() {
    let page = manual_page();
    let (_, warnings) = filter("groff", &["-man", "-Tutf8", "-ww", "-z"], &page);
    assert!(warnings.is_empty(), "groff: {warnings}");
    let (rendered, warnings) = filter("man", &["--warnings", "-l", "-"], &page);
    assert!(warnings.is_empty(), "man: {warnings}");
    assert!(rendered.starts_with("TOKENDECK(1)"), "{rendered}");

    let commands = format!("\n{}", section(&rendered, "COMMANDS"));
    let mut cli = Cli::command();
    let names: Vec<String> = cli
        .get_subcommands_mut()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() > 10, "{names:?}");
    for name in &names {
        assert!(
            commands.contains(&format!("\n   tokendeck {name}\n")),
            "no section for {name} in\n{commands}"
        );
        assert!(commands.contains(&format!("tokendeck {name} ")), "{name}");
    }
    assert_eq!(
        commands.matches("Examples:").count(),
        names.len(),
        "{commands}"
    );

    // Words only: `man` justifies the lines.
    let exit = format!(" {} ", words(section(&rendered, "EXIT STATUS")));
    for (code, meaning) in EXIT_CODES {
        let meaning = words(meaning);
        assert!(
            exit.contains(&format!(" {code} {meaning} ")),
            "{code} {meaning:?} in\n{exit}"
        );
    }

    let environment = section(&rendered, "ENVIRONMENT");
    let mut variables = Vec::new();
    variables_in(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut variables,
    );
    // A debug build's test switch, not the user's.
    variables.retain(|v| v != "TOKENDECK_TEST_PANIC");
    assert!(variables.len() >= 9, "{variables:?}");
    for variable in &variables {
        assert!(
            environment.contains(variable),
            "{variable} in\n{environment}"
        );
    }
    for heading in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "FILES",
        "EXAMPLES",
    ] {
        assert!(!section(&rendered, heading).trim().is_empty(), "{heading}");
    }
    assert!(section(&rendered, "FILES").contains("accounts.toml"));
}
