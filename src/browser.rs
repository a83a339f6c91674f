//! Opening the user's web browser, best effort: a machine without one still has the URL as text
//! and as a QR code.

/// Opens `url` in the user's browser; whether one could be started. The `webbrowser` crate
/// knows each platform's way (`$BROWSER`, xdg, `open`, ShellExecute), and passes the URL as one
/// argument where `cmd /C start` would have cut it at the first `&`.
pub fn open(url: &str) -> bool {
    webbrowser::open(url).is_ok()
}
