//! `tokendeck daemon --install` / `--uninstall`: a systemd user unit (Linux) or a launchd agent
//! (macOS) that runs this binary's `daemon` on this home at login. The texts are pure functions of
//! the binary's path and the home, so both are tested wherever the tests run.

use std::path::{Path, PathBuf};

use super::CliError;
use crate::store::Home;

/// The systemd unit's name, and the launchd agent's label.
pub const UNIT: &str = "tokendeck.service";
pub const LABEL: &str = "tokendeck.daemon";

/// The systemd user unit that runs `exe [--home HOME] daemon [OPTIONS]`. `Type=notify`: systemd
/// counts it started when the daemon says `READY=1` (`super::systemd`), once its agent socket
/// listens, so whatever is ordered after it finds the socket answering.
pub fn systemd_unit(
    exe: &Path,
    home: Option<&Path>,
    options: &[String],
) -> Result<String, CliError> {
    let words = command(exe, home, options)?
        .iter()
        .map(|w| systemd_word(w))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(format!(
        "[Unit]\n\
         Description=tokendeck: keeps OAuth 2.0 tokens fresh in the background\n\
         \n\
         [Service]\n\
         Type=notify\n\
         ExecStart={words}\n\
         Restart=on-failure\n\
         RestartSec=10\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n"
    ))
}

/// The launchd agent that runs `exe [--home HOME] daemon [OPTIONS]` at login, again after a
/// failure, with its diagnostics in `log`.
pub fn launchd_plist(
    exe: &Path,
    home: Option<&Path>,
    options: &[String],
    log: &Path,
) -> Result<String, CliError> {
    let arguments: String = command(exe, home, options)?
        .iter()
        .map(|w| format!("\t\t<string>{}</string>\n", xml(w)))
        .collect();
    let log = xml(utf8(log)?);
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \t<key>Label</key>\n\
         \t<string>{LABEL}</string>\n\
         \t<key>ProgramArguments</key>\n\
         \t<array>\n\
         {arguments}\
         \t</array>\n\
         \t<key>RunAtLoad</key>\n\
         \t<true/>\n\
         \t<key>KeepAlive</key>\n\
         \t<dict>\n\
         \t\t<key>SuccessfulExit</key>\n\
         \t\t<false/>\n\
         \t</dict>\n\
         \t<key>StandardErrorPath</key>\n\
         \t<string>{log}</string>\n\
         </dict>\n\
         </plist>\n"
    ))
}

/// `exe [--home HOME] daemon [OPTIONS]`, each checked to fit in a service file.
fn command<'a>(
    exe: &'a Path,
    home: Option<&'a Path>,
    options: &'a [String],
) -> Result<Vec<&'a str>, CliError> {
    if !exe.is_absolute() {
        return Err(CliError::Io(format!(
            "the service needs this binary's absolute path, and {} is not one",
            exe.display()
        )));
    }
    let mut words = vec![utf8(exe)?];
    if let Some(home) = home {
        words.extend(["--home", utf8(home)?]);
    }
    words.push("daemon");
    for option in options {
        words.push(utf8(Path::new(option))?);
    }
    Ok(words)
}

fn utf8(path: &Path) -> Result<&str, CliError> {
    match path.to_str() {
        Some(text) if !text.contains(['\n', '\r', '\0']) => Ok(text),
        _ => Err(CliError::Io(format!(
            "{} cannot be written into a service file (it is not UTF-8, or holds a line break): move it to a plainer path",
            path.display()
        ))),
    }
}

/// One word of a systemd command line: `%` and `$` escaped (specifiers, variables), quoted when
/// it holds a space, a quote, a backslash or a `;`.
fn systemd_word(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    let plain = !word.is_empty()
        && !word
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ';'));
    if plain {
        escaped
    } else {
        format!("\"{escaped}\"")
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Where the service file goes, what it says, and how to start and stop it.
struct Service {
    path: PathBuf,
    text: String,
    start: String,
    stop: String,
    /// Present while the service is enabled (systemd's `default.target.wants` link).
    enabled_link: Option<PathBuf>,
}

fn dirs() -> Result<directories::BaseDirs, CliError> {
    directories::BaseDirs::new()
        .ok_or_else(|| CliError::Io("no home directory is known for this user".into()))
}

#[cfg(not(target_os = "macos"))]
fn service(home: &Home, options: &[String]) -> Result<Service, CliError> {
    let dir = dirs()?.config_dir().join("systemd").join("user");
    let exe = current_exe()?;
    Ok(Service {
        path: dir.join(UNIT),
        text: systemd_unit(&exe, home.root(), options)?,
        start: "systemctl --user daemon-reload && systemctl --user enable --now tokendeck".into(),
        stop: "systemctl --user disable --now tokendeck".into(),
        enabled_link: Some(dir.join("default.target.wants").join(UNIT)),
    })
}

#[cfg(target_os = "macos")]
fn service(home: &Home, options: &[String]) -> Result<Service, CliError> {
    let user = dirs()?.home_dir().to_path_buf();
    let path = user
        .join("Library/LaunchAgents")
        .join(format!("{LABEL}.plist"));
    let log = user.join("Library/Logs/tokendeck-daemon.log");
    let exe = current_exe()?;
    Ok(Service {
        text: launchd_plist(&exe, home.root(), options, &log)?,
        start: format!("launchctl bootstrap gui/$(id -u) {}", path.display()),
        stop: format!("launchctl bootout gui/$(id -u)/{LABEL}"),
        path,
        enabled_link: None,
    })
}

/// The options of `daemon --install` that the service's daemon runs with: `--share`,
/// `--no-notify`, `--socket-path` (made absolute) and `--max-per-endpoint` when not the default.
pub fn daemon_options(args: &super::DaemonArgs) -> Result<Vec<String>, CliError> {
    let mut options = Vec::new();
    if args.share {
        options.push("--share".to_string());
    }
    if args.no_notify {
        options.push("--no-notify".to_string());
    }
    if args.max_per_endpoint != crate::app::engine::DEFAULT_PER_ENDPOINT {
        options.extend([
            "--max-per-endpoint".into(),
            args.max_per_endpoint.to_string(),
        ]);
    }
    if let Some(path) = &args.socket_path {
        let path = std::path::absolute(path)
            .map_err(|e| CliError::Io(format!("cannot tell where {} is: {e}", path.display())))?;
        options.extend(["--socket-path".into(), utf8(&path)?.to_string()]);
    }
    Ok(options)
}

fn current_exe() -> Result<PathBuf, CliError> {
    std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| CliError::Io(format!("cannot tell where this tokendeck binary is: {e}")))
}

/// Writes the service file (to a temporary file beside it, renamed over it: a link at its path
/// is replaced, never written through); prints the line that starts it. `options`: the daemon's
/// own options it runs with ([`daemon_options`]).
pub fn install(home: &Home, force: bool, options: &[String]) -> Result<(), CliError> {
    let service = service(home, options)?;
    let path = &service.path;
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if is_link && !force {
        return Err(CliError::Io(format!(
            "{} is a symbolic link (to {}); look at it, then run `tokendeck daemon --install --force` to put a file of tokendeck's in its place (what it points to is left as it is)",
            path.display(),
            std::fs::read_link(path).map_or_else(
                |_| "somewhere unreadable".into(),
                |t| t.display().to_string()
            )
        )));
    }
    match std::fs::read_to_string(path) {
        Ok(existing) if existing == service.text && !is_link => {
            eprintln!(
                "tokendeck: {} is installed already, unchanged",
                path.display()
            );
            println!("{}", service.start);
            return Ok(());
        }
        Ok(_) if !force => {
            return Err(CliError::Io(format!(
                "{} exists and says something else (another binary, home or daemon options?); look at it, then run `tokendeck daemon --install{} --force` to replace it",
                path.display(),
                options.iter().map(|o| format!(" {o}")).collect::<String>()
            )));
        }
        _ => {}
    }
    crate::store::files::write_atomically(path, service.text.as_bytes())?;
    eprintln!(
        "tokendeck: wrote {}; to start the daemon now and at every login, run:",
        path.display()
    );
    println!("{}", service.start);
    Ok(())
}

/// Removes the service file, unless it is still enabled (then says how to disable it first).
pub fn uninstall(home: &Home, force: bool) -> Result<(), CliError> {
    // Only where the file is and how it is stopped matter here, not what it runs.
    let service = service(home, &[])?;
    let path = &service.path;
    if path.symlink_metadata().is_err() {
        eprintln!(
            "tokendeck: no service at {}: nothing to remove",
            path.display()
        );
        return Ok(());
    }
    let enabled = service
        .enabled_link
        .as_deref()
        .is_some_and(|link| link.symlink_metadata().is_ok());
    if enabled && !force {
        return Err(CliError::Io(format!(
            "{UNIT} is enabled: run `{}` first, then `tokendeck daemon --uninstall` again",
            service.stop
        )));
    }
    std::fs::remove_file(path)
        .map_err(|e| CliError::Io(format!("cannot remove {}: {e}", path.display())))?;
    eprintln!(
        "tokendeck: removed {}; if the daemon still runs, stop it with `{}`",
        path.display(),
        service.stop
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_runs_this_binary_on_this_home() {
        let unit = systemd_unit(Path::new("/usr/bin/tokendeck"), None, &[]).unwrap();
        assert!(
            unit.contains("\nExecStart=/usr/bin/tokendeck daemon\n"),
            "{unit}"
        );
        assert!(unit.contains("\nRestart=on-failure\n"));
        assert!(unit.contains("[Service]\nType=notify\n"), "{unit}");
        assert!(unit.contains("[Install]\nWantedBy=default.target\n"));
        let unit = systemd_unit(
            Path::new("/opt/my tools/tokendeck"),
            Some(Path::new("/home/a/100%$HOME")),
            &[],
        )
        .unwrap();
        assert!(
            unit.contains(
                "\nExecStart=\"/opt/my tools/tokendeck\" --home /home/a/100%%$$HOME daemon\n"
            ),
            "{unit}"
        );
        // `daemon --install --share`: the service's daemon answers on share.sock too.
        let options = ["--share", "--socket-path", "/run/a b.sock"].map(String::from);
        let unit = systemd_unit(Path::new("/usr/bin/tokendeck"), None, &options).unwrap();
        assert!(
            unit.contains(
                "\nExecStart=/usr/bin/tokendeck daemon --share --socket-path \"/run/a b.sock\"\n"
            ),
            "{unit}"
        );
    }

    #[test]
    fn a_relative_or_multi_line_path_is_refused() {
        assert!(systemd_unit(Path::new("tokendeck"), None, &[]).is_err());
        assert!(
            systemd_unit(
                Path::new("/bin/td"),
                Some(Path::new("/a\nExecStartPre=/x")),
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn the_launchd_agent_runs_this_binary_and_keeps_it_alive_after_a_failure() {
        let plist = launchd_plist(
            Path::new("/Applications/Token & Deck/tokendeck"),
            Some(Path::new("/Users/a/<home>")),
            &["--share".to_string()],
            Path::new("/Users/a/Library/Logs/tokendeck-daemon.log"),
        )
        .unwrap();
        let expected = "\t<array>\n\
             \t\t<string>/Applications/Token &amp; Deck/tokendeck</string>\n\
             \t\t<string>--home</string>\n\
             \t\t<string>/Users/a/&lt;home&gt;</string>\n\
             \t\t<string>daemon</string>\n\
             \t\t<string>--share</string>\n\
             \t</array>\n";
        assert!(plist.contains(expected), "{plist}");
        assert!(plist.contains("<key>Label</key>\n\t<string>tokendeck.daemon</string>"));
        assert!(plist.contains("<key>SuccessfulExit</key>\n\t\t<false/>"));
        assert!(plist.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist"));
    }
}
