//! What `--help` says after the options: the exit codes, and the command's examples
//! ([`super::examples`]). The manual page (`tokendeck man`) is written from the same tables.

#[cfg(test)]
use super::examples::EXAMPLES;
use super::examples::examples;

/// The exit codes, as `--help` and the manual list them: the code, and what it means (a line
/// break where `--help` breaks the line).
pub const EXIT_CODES: &[(&str, &str)] = &[
    ("0", "success"),
    (
        "1",
        "an error not listed below (among them: the home is not yours alone;\nthe message names the folder and the fix)",
    ),
    ("2", "wrong usage"),
    ("3", "no such account, or the name is taken or invalid"),
    ("4", "the account must be linked (again)"),
    (
        "5",
        "a passing failure (network, server, timeout): try again later",
    ),
    ("6", "the keyring is unavailable or locked"),
    ("7", "the accounts file is broken: fix it by hand"),
    ("8", "the API answered an error status (call)"),
    (
        "9",
        "the provider refused the account's settings (client secret, scopes,\nparameters): change them with `tokendeck set NAME …`",
    ),
    (
        "130",
        "stopped by Ctrl-C (129: SIGHUP, 143: SIGTERM), after the refresh under\nway, if any, was stored",
    ),
];

/// The end of a command's `--help`: its examples.
pub fn after_help(command: &str) -> String {
    let mut text = String::from("Examples:");
    for example in examples(command) {
        text.push_str(&format!("\n  # {}\n  {}", example.what, example.line));
    }
    text
}

/// The end of `tokendeck --help`: the exit codes, then the examples.
pub fn after_root_help() -> String {
    let mut text = String::from("Exit codes:");
    for (code, meaning) in EXIT_CODES {
        let meaning = meaning.replace('\n', "\n     ");
        text.push_str(&format!("\n{code:>3}  {meaning}"));
    }
    format!("{text}\n\n{}", after_help(""))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::cli::Cli;

    /// Every command, `tokendeck` itself first, as `--help` and the manual show them (with the
    /// arguments clap adds, such as --help and --version); not clap's own `help` command.
    fn commands() -> Vec<clap::Command> {
        fn walk(command: &clap::Command, into: &mut Vec<clap::Command>) {
            into.push(command.clone());
            for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
                walk(sub, into);
            }
        }
        let mut cli = Cli::command();
        cli.build();
        let mut all = Vec::new();
        walk(&cli, &mut all);
        all
    }

    fn name_of(command: &clap::Command) -> &str {
        match command.get_name() {
            "tokendeck" => "",
            name => name,
        }
    }

    #[test]
    fn every_argument_of_every_command_says_what_it_is_for() {
        let mut silent = Vec::new();
        for command in commands() {
            for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
                let help = arg
                    .get_help()
                    .or(arg.get_long_help())
                    .map(|h| h.to_string());
                if help.is_none_or(|h| h.trim().is_empty()) {
                    silent.push(format!("{} {}", command.get_name(), arg.get_id()));
                }
            }
        }
        assert!(silent.is_empty(), "arguments without help: {silent:?}");
    }

    #[test]
    fn every_command_ends_its_help_with_two_or_three_examples() {
        let all = commands();
        assert!(all.len() > 10, "{}", all.len());
        for mut command in all {
            let name = name_of(&command).to_string();
            let count = examples(&name).len();
            assert!((2..=3).contains(&count), "{name:?} has {count} examples");
            for help in [command.render_help(), command.render_long_help()] {
                let help = help.to_string();
                let end = after_help(&name);
                assert!(help.trim_end().ends_with(&end), "{name:?}:\n{help}");
                assert!(end.lines().count() == 1 + 2 * count, "{end}");
            }
        }
        // And no examples wait for a command that is gone.
        let names: Vec<String> = commands().iter().map(|c| name_of(c).to_string()).collect();
        for (name, _) in EXAMPLES {
            assert!(names.iter().any(|n| n == name), "examples of {name:?}");
        }
    }

    /// Each `tokendeck …` in an example (whole, after a pipe, or inside `$(…)`), as words.
    fn invocations(line: &str) -> Vec<Vec<String>> {
        let mut found = Vec::new();
        for (at, _) in line.match_indices("tokendeck") {
            let before = line[..at].chars().last();
            if !matches!(before, None | Some(' ' | '(' | '"')) {
                continue;
            }
            let rest = &line[at..];
            // Quoted whole (git's `credential.helper "tokendeck git-credential"`): to the quote.
            let quote = if before == Some('"') { "\"" } else { ")" };
            let end = [quote, ")", " |", " &&", " >"]
                .iter()
                .filter_map(|stop| rest.find(stop))
                .min()
                .unwrap_or(rest.len());
            found.push(shlex::split(&rest[..end]).expect("an example a shell can split"));
        }
        found
    }

    #[test]
    fn every_example_is_a_command_line_tokendeck_accepts() {
        for (name, listed) in EXAMPLES {
            for example in *listed {
                let runs = invocations(example.line);
                let mut used = Vec::new();
                for words in &runs {
                    if let Err(e) = Cli::try_parse_from(words) {
                        panic!("{:?}: {e}", example.line);
                    }
                    let matches = Cli::command().try_get_matches_from(words).expect("parsed");
                    used.push(matches.subcommand_name().unwrap_or("").to_string());
                }
                // The root's examples may use any command; a command's use it.
                assert!(
                    !runs.is_empty() && (name.is_empty() || used.iter().any(|u| u == name)),
                    "{:?} under {name:?} runs {used:?}",
                    example.line
                );
            }
        }
    }

    #[test]
    fn examples_are_found_after_a_pipe_and_inside_a_command_substitution() {
        let words = invocations("pass x | tokendeck add w --preset google");
        assert_eq!(words, [["tokendeck", "add", "w", "--preset", "google"]]);
        let words = invocations("curl -H \"Bearer $(tokendeck token work)\" https://h/tokendeck");
        assert_eq!(words, [["tokendeck", "token", "work"]]);
        assert!(invocations("ls ~/.tokendeck-test --client-id=tokendeck").is_empty());
        let words = invocations("git config x.helper \"tokendeck git-credential\"");
        assert_eq!(words, [["tokendeck", "git-credential"]]);
    }

    #[test]
    fn the_exit_codes_are_those_the_command_line_exits_with() {
        use crate::cli::ExitStatus as S;
        let listed = after_root_help();
        for status in [
            S::Ok,
            S::Failure,
            S::Usage,
            S::NoSuchAccount,
            S::NeedsLink,
            S::TryLater,
            S::Keyring,
            S::BrokenAccountsFile,
            S::ApiError,
            S::Configuration,
            S::StoppedByHangUp,
            S::StoppedByCtrlC,
            S::StoppedByTerm,
        ] {
            let code = status as u8;
            assert!(
                listed.contains(&format!("\n{code:>3}  ")) || listed.contains(&format!("{code}: ")),
                "{code} is not listed:\n{listed}"
            );
        }
    }
}
