//! `tokendeck man`: the manual page, in roff. The name, synopsis, options and commands come from
//! the clap definition through clap_mangen, as `--help` and the completions do; the exit codes
//! and examples from the tables `--help` prints; the environment and files from [`words::man`].

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};

use super::args::{Cli, EXIT_CODES, Example, examples};
use super::error::CliError;
use super::words::man as words;

/// Prints the manual page on stdout.
pub fn print() -> Result<(), CliError> {
    let page = page().map_err(|e| CliError::Io(format!("cannot write the manual page: {e}")))?;
    std::io::stdout()
        .write_all(&page)
        .map_err(|e| CliError::Io(format!("cannot print the manual page: {e}")))
}

/// The whole page.
pub fn page() -> std::io::Result<Vec<u8>> {
    let mut cli = Cli::command();
    // Gives each subcommand its full name (`tokendeck add`) for its synopsis.
    cli.build();
    let man = Man::new(cli.clone())
        .title("TOKENDECK")
        .manual("User Commands");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["DESCRIPTION"]);
    paragraphs(&mut roff, words::DESCRIPTION);
    roff.to_writer(&mut out)?;
    man.render_options_section(&mut out)?;

    Roff::new()
        .control("SH", [words::COMMANDS])
        .to_writer(&mut out)?;
    for command in cli.get_subcommands().filter(|c| c.get_name() != "help") {
        command_section(command, &mut out)?;
    }

    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_CODES {
        tagged(&mut roff, roman(*code), &meaning.replace('\n', " "));
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in words::environment() {
        tagged(&mut roff, bold(name), meaning);
    }
    roff.control("SH", ["FILES"]);
    for (path, what) in words::FILES {
        tagged(&mut roff, italic(*path), what);
    }
    roff.control("SH", ["EXAMPLES"]);
    example_list(&mut roff, examples(""));
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(words::SEE_ALSO)]);
    roff.to_writer(&mut out)?;
    Ok(ascii(&String::from_utf8_lossy(&out)).into_bytes())
}

/// The page in ASCII, every other character written as groff's `\[uXXXX]`: `man` converts the
/// encoding itself, but `groff` alone or a pager's `nroff` reads bytes as Latin-1.
fn ascii(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

/// One command: a subsection with what it does, its synopsis, its options and its examples.
fn command_section(command: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let name = command.get_bin_name().unwrap_or_else(|| command.get_name());
    let mut roff = Roff::new();
    roff.control("SS", [name]);
    if let Some(about) = command.get_long_about().or_else(|| command.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    roff.to_writer(out)?;
    // --home is the page's OPTIONS, once, not every command's.
    let man = Man::new(command.clone().mut_arg("home", |home| home.hide(true)));
    // clap_mangen heads these parts as sections of a page of their own: here they are parts of
    // one command's subsection, so the heading gives way to a paragraph break.
    for render in [Man::render_synopsis_section, Man::render_options_section] {
        let mut part = Vec::new();
        render(&man, &mut part)?;
        out.extend(without_heading(&part));
    }
    let mut roff = Roff::new();
    roff.control("PP", []);
    roff.text([italic(words::EXAMPLES)]);
    example_list(&mut roff, examples(command.get_name()));
    roff.to_writer(out)
}

/// A part clap_mangen wrote, its `.SH` lines made paragraph breaks.
fn without_heading(part: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(part.len());
    for line in part.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".SH ") {
            out.extend_from_slice(b".PP\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

fn example_list(roff: &mut Roff, examples: &[Example]) {
    for example in examples {
        roff.control("PP", []);
        roff.text([roman(example.what)]);
        roff.control("RS", ["4"]);
        roff.control("nf", []);
        roff.text([bold(example.line)]);
        roff.control("fi", []);
        roff.control("RE", []);
    }
}

fn tagged(roff: &mut Roff, tag: roff::Inline, text: &str) {
    roff.control("TP", []);
    roff.text([tag]);
    roff.text([roman(text)]);
}

fn paragraphs(roff: &mut Roff, paragraphs: &[&str]) {
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            roff.control("PP", []);
        }
        roff.text([roman(*paragraph)]);
    }
}
