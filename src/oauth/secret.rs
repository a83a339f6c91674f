//! Secrets as newtypes: their `Debug` and `Display` print a redaction, so a token can never reach a
//! log line, an error message or a panic by accident. Reading the value takes an explicit `secret()`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What every secret prints instead of its value.
pub const REDACTED: &str = "[redacted]";

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Every call site is a place where it may leave the process.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), REDACTED)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }
    };
}

secret_type!(
    /// The device code of a device authorization (RFC 8628): whoever holds it gets the tokens
    /// once the user approves.
    DeviceCode
);
secret_type!(
    /// A bearer access token.
    AccessToken
);
secret_type!(
    /// A refresh token; with a rotating server, single-use.
    RefreshToken
);
secret_type!(
    /// The client secret of a confidential client.
    ClientSecret
);
secret_type!(
    /// The authorization code the provider hands back to the redirect URI.
    AuthorizationCode
);
secret_type!(
    /// The PKCE code verifier (RFC 7636), kept until the code is exchanged.
    PkceVerifier
);
secret_type!(
    /// An OpenID Connect ID token (a signed JWT that carries personal data).
    IdToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let token = AccessToken::new("very-secret-value");
        assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
        assert_eq!(token.to_string(), "[redacted]");
        assert_eq!(token.secret(), "very-secret-value");
        let nested = format!("{:?}", Some(vec![RefreshToken::new("rt-value")]));
        assert!(!nested.contains("rt-value"), "{nested}");
    }

    #[test]
    fn serializes_as_a_plain_string_for_the_keyring() {
        let json = serde_json::to_string(&RefreshToken::new("r1")).unwrap();
        assert_eq!(json, "\"r1\"");
        let back: RefreshToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back.secret(), "r1");
    }
}
