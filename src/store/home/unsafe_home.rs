//! A home tokendeck refuses, and why, below both the checks that find it (`safety`) and the
//! store's error that carries it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Who besides the user can write to a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writers {
    Group,
    Others,
    GroupAndOthers,
}

/// What is wrong with a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    Writable {
        writers: Writers,
        mode: u32,
    },
    /// It belongs to another user.
    Owner {
        uid: u32,
    },
}

/// A home tokendeck refuses to use, and why: nothing in it was read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsafeHome {
    /// The folder at fault.
    pub path: PathBuf,
    /// When the folder at fault is above tokendeck's own: tokendeck's folder.
    pub below: Option<PathBuf>,
    pub problem: Problem,
}

impl std::error::Error for UnsafeHome {}

impl fmt::Display for UnsafeHome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        let quoted = shell_word(&self.path);
        match (&self.below, self.problem) {
            (None, Problem::Writable { writers, mode }) => write!(
                f,
                "the home {path} is not yours alone: {} can write to it (mode {mode:04o}), and so change what tokendeck keeps there. Run `chmod 700 {quoted}`, then try again",
                writers.words()
            ),
            (None, Problem::Owner { uid }) => write!(
                f,
                "the home {path} belongs to another user (uid {uid}), who could read and change what tokendeck keeps there: use a folder of your own (`--home DIR`, or TOKENDECK_HOME)"
            ),
            (Some(below), Problem::Writable { writers, mode }) => write!(
                f,
                "the home {} is not safe: {} can write to {path}, a folder above it (mode {mode:04o}), and so put a folder of their own in its place. Run `chmod {}-w {quoted}`, or keep tokendeck's files in a folder of your own (`--home DIR`)",
                below.display(),
                writers.words(),
                writers.chmod_who(),
            ),
            (Some(below), Problem::Owner { uid }) => write!(
                f,
                "the home {} is not safe: {path}, a folder above it, belongs to another user (uid {uid}), who could put a folder of their own in its place. Keep tokendeck's files in a folder of your own (`--home DIR`, or TOKENDECK_HOME)",
                below.display()
            ),
        }
    }
}

impl Writers {
    fn words(self) -> &'static str {
        match self {
            Writers::Group => "its group",
            Writers::Others => "other users",
            Writers::GroupAndOthers => "its group and other users",
        }
    }

    fn chmod_who(self) -> &'static str {
        match self {
            Writers::Group => "g",
            Writers::Others => "o",
            Writers::GroupAndOthers => "go",
        }
    }
}

/// `path` as one word a shell reads back the same, for a command the user can paste.
fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_folder_and_the_command_that_fixes_it() {
        let own = UnsafeHome {
            path: "/home/ann/td home".into(),
            below: None,
            problem: Problem::Writable {
                writers: Writers::GroupAndOthers,
                mode: 0o777,
            },
        };
        let text = own.to_string();
        assert!(text.contains("mode 0777"), "{text}");
        assert!(text.contains("`chmod 700 '/home/ann/td home'`"), "{text}");
        let above = UnsafeHome {
            path: "/srv/shared".into(),
            below: Some("/srv/shared/td".into()),
            problem: Problem::Writable {
                writers: Writers::Group,
                mode: 0o2775,
            },
        };
        let text = above.to_string();
        assert!(
            text.starts_with(
                "the home /srv/shared/td is not safe: its group can write to /srv/shared,"
            ),
            "{text}"
        );
        assert!(text.contains("`chmod g-w /srv/shared`"), "{text}");
        assert_eq!(shell_word(Path::new("/a/it's")), r"'/a/it'\''s'");
    }
}
