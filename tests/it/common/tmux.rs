//! Driving a program in a real terminal: tmux with its own socket, `send-keys`, `capture-pane`.

use std::process::Command;
use std::time::{Duration, Instant};

/// How often the screen is looked at while waiting for something on it.
const POLL: Duration = Duration::from_millis(100);

/// A tmux server of its own (its own socket), killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(command: &[&str], width: u16, height: u16) -> Tmux {
        let unique = &tokendeck::oauth::authorize::random_token()[..8];
        let socket = format!("tokendeck-test-{}-{unique}", std::process::id());
        let tmux = Tmux { socket };
        let status = tmux
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "td",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .args(command)
            .status()
            .expect("tmux must be installed for the terminal test (apt-get install tmux)");
        assert!(status.success());
        tmux
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]).args(args);
        command
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            assert!(
                self.cmd(&["send-keys", "-t", "td", key])
                    .status()
                    .unwrap()
                    .success()
            );
        }
    }

    pub fn type_text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "td", "-l", text])
                .status()
                .unwrap()
                .success()
        );
    }

    /// A bracketed paste, as a terminal does it.
    pub fn paste(&self, text: &str) {
        assert!(
            self.cmd(&["set-buffer", "-b", "td", text])
                .status()
                .unwrap()
                .success()
        );
        assert!(
            self.cmd(&["paste-buffer", "-p", "-b", "td", "-t", "td"])
                .status()
                .unwrap()
                .success()
        );
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "td"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; fails with the screen as it is.
    pub fn wait_for(&self, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {limit:?} for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Waits until the program (and so the session) has ended.
    pub fn wait_until_gone(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.running() {
            assert!(
                Instant::now() < deadline,
                "the program did not end within {limit:?}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// The pid of the program the session runs (the pane's first process).
    pub fn pid(&self) -> u32 {
        let out = self
            .cmd(&["list-panes", "-t", "td", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("no pane pid: {text:?}"))
    }

    /// Waits until the screen no longer shows `text`; fails with the screen as it is.
    pub fn wait_for_absence(&self, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {limit:?} for {text:?} to go; the screen:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Ends the tmux server, closing the terminal: the program gets SIGHUP, and its terminal is
    /// gone.
    pub fn close_terminal(&self) {
        let _ = self.cmd(&["kill-server"]).status();
    }

    pub fn running(&self) -> bool {
        self.cmd(&["has-session", "-t", "td"])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}
