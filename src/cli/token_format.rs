//! `token --format`: the shapes a valid access token is printed in for the programs that take
//! it — bare, JSON for scripts, an HTTP header, SASL XOAUTH2 for mail clients, and a Kubernetes
//! ExecCredential for kubectl. The token is the same whichever way it came (agent or keyring);
//! only its wrapping differs.

use base64::Engine as _;
use serde_json::json;

use super::words::format::NoMailUser;
use crate::text::FORMAT_VERSION;

/// The Kubernetes API version of the ExecCredential printed (what kubeconfig's `exec.apiVersion`
/// must name).
pub const EXEC_CREDENTIAL_API: &str = "client.authentication.k8s.io/v1";

/// How `token` prints the access token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenFormat {
    /// The token alone, on one line
    #[default]
    Plain,
    /// JSON with its type, expiry and scopes: {"format_version":1,"access_token",…}
    Json,
    /// `Authorization: Bearer TOKEN`, for curl -H and friends
    Header,
    /// Base64 of the SASL XOAUTH2 string, for mail clients (needs the account's mail user)
    Xoauth2,
    /// A Kubernetes client.authentication.k8s.io/v1 ExecCredential, for a kubeconfig `exec` entry
    ExecCredential,
}

/// The token as handed out, with what the formats need beside it. Its `Debug` hides the token.
pub struct Handed {
    pub access_token: String,
    pub token_type: String,
    /// RFC 3339, when the provider said how long the token lives.
    pub expires_at: Option<String>,
    /// The token's scopes: those the provider granted, or those asked for when it did not say.
    pub scopes: Vec<String>,
    /// Whom the mail formats name: the account's mail user, else its ID token's email.
    pub mail_user: Option<String>,
}

impl Handed {
    /// What `tokens` hand out; their ID token's email only `with_email` (decoded only for the
    /// format that names it: plain stays one keyring read and no more).
    pub fn of(tokens: &crate::oauth::Tokens, with_email: bool) -> Handed {
        Handed {
            access_token: tokens.access_token().to_string(),
            token_type: tokens.token_type().to_string(),
            expires_at: tokens.expires_at().map(crate::time::rfc3339),
            scopes: tokens
                .scope()
                .map_or_else(Vec::new, |s| scopes(Some(s), &[])),
            mail_user: with_email
                .then(|| tokens.id_token().and_then(crate::oauth::identity::email))
                .flatten(),
        }
    }
}

impl std::fmt::Debug for Handed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handed")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl TokenFormat {
    /// Whether the format needs more than the token (its scopes or its mail user), which the
    /// accounts file may have to tell: plain stays one keyring read.
    pub fn needs_account(self) -> bool {
        matches!(self, TokenFormat::Json | TokenFormat::Xoauth2)
    }

    /// What `token` prints, its newline included. `name` is the account's, for the error.
    pub fn render(self, handed: &Handed, name: &str) -> Result<String, NoMailUser> {
        let token = &handed.access_token;
        Ok(match self {
            TokenFormat::Plain => format!("{token}\n"),
            TokenFormat::Json => {
                let value = json!({
                    "format_version": FORMAT_VERSION,
                    "access_token": token,
                    "token_type": handed.token_type,
                    "expires_at": handed.expires_at,
                    "scopes": handed.scopes,
                });
                format!("{value}\n")
            }
            TokenFormat::Header => format!("Authorization: {} {token}\n", scheme(handed)),
            TokenFormat::Xoauth2 => {
                let user = handed.mail_user.as_deref().ok_or_else(|| NoMailUser {
                    name: name.to_string(),
                    unusable: false,
                })?;
                // \x01 separates the SASL string's parts: a control character would forge one.
                if user.chars().any(char::is_control) {
                    return Err(NoMailUser {
                        name: name.to_string(),
                        unusable: true,
                    });
                }
                format!("{}\n", xoauth2(user, token))
            }
            TokenFormat::ExecCredential => {
                // Kubernetes owns this shape (its apiVersion is its version): no format_version.
                let mut status = json!({ "token": token });
                if let Some(at) = &handed.expires_at {
                    status["expirationTimestamp"] = json!(at);
                }
                let value = json!({
                    "apiVersion": EXEC_CREDENTIAL_API,
                    "kind": "ExecCredential",
                    "status": status,
                });
                format!("{value}\n")
            }
        })
    }
}

/// The authorization scheme: `Bearer` however the provider spelled it (RFC 6750 says the
/// type is case-insensitive; servers are not), another type as it came.
fn scheme(handed: &Handed) -> &str {
    if handed.token_type.eq_ignore_ascii_case("bearer") || handed.token_type.is_empty() {
        "Bearer"
    } else {
        &handed.token_type
    }
}

/// The SASL XOAUTH2 initial response (Google's and Microsoft's definition), base64-encoded.
pub fn xoauth2(user: &str, token: &str) -> String {
    let raw = format!("user={user}\x01auth=Bearer {token}\x01\x01");
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// A token's scope string as a list; `None` (the provider did not say) gives `asked`, which
/// RFC 6749 §5.1 says it then granted.
pub fn scopes(granted: Option<&str>, asked: &[String]) -> Vec<String> {
    match granted {
        Some(scope) => scope.split_whitespace().map(str::to_string).collect(),
        None => asked.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handed(mail_user: Option<&str>) -> Handed {
        Handed {
            access_token: "tok".into(),
            token_type: "bearer".into(),
            expires_at: Some("2030-01-02T03:04:05Z".into()),
            scopes: vec!["openid".into(), "email".into()],
            mail_user: mail_user.map(str::to_string),
        }
    }

    #[test]
    fn each_format_wraps_the_same_token() {
        let h = handed(Some("a@example.test"));
        let out = |f: TokenFormat| f.render(&h, "work").unwrap();
        assert_eq!(out(TokenFormat::Plain), "tok\n");
        assert_eq!(out(TokenFormat::Header), "Authorization: Bearer tok\n");
        let json: serde_json::Value = serde_json::from_str(&out(TokenFormat::Json)).unwrap();
        assert_eq!(json["format_version"], 1);
        assert_eq!(json["scopes"], json!(["openid", "email"]));
        assert_eq!(json["expires_at"], "2030-01-02T03:04:05Z");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(out(TokenFormat::Xoauth2).trim())
            .unwrap();
        assert_eq!(decoded, b"user=a@example.test\x01auth=Bearer tok\x01\x01");
        let k8s: serde_json::Value =
            serde_json::from_str(&out(TokenFormat::ExecCredential)).unwrap();
        assert_eq!(k8s["status"]["token"], "tok");
        assert_eq!(k8s["status"]["expirationTimestamp"], "2030-01-02T03:04:05Z");
    }

    #[test]
    fn xoauth2_without_a_mail_user_is_an_error_that_names_the_setting() {
        let err = TokenFormat::Xoauth2
            .render(&handed(None), "work")
            .unwrap_err();
        assert!(err.to_string().contains("--mail-user"), "{err}");
        assert!(!err.to_string().contains("tok\x01"), "{err}");
        let forged = TokenFormat::Xoauth2
            .render(&handed(Some("a\x01auth=Bearer x")), "work")
            .unwrap_err();
        assert!(forged.to_string().contains("control character"), "{forged}");
    }

    #[test]
    fn a_token_without_a_scope_has_the_scopes_asked_for() {
        let asked = vec!["a".to_string()];
        assert_eq!(scopes(None, &asked), asked);
        assert_eq!(scopes(Some("x  y"), &asked), vec!["x", "y"]);
    }
}
