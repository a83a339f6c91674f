//! Opening the user's web browser, best effort: a machine without one still has the URL as text
//! and as a QR code.

use std::process::{Command, Stdio};

/// Starts the platform's opener on `url`; whether one could be started.
pub fn open(url: &str) -> bool {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}
