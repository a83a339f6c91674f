//! Whether an answer from the provider — pasted, or brought by the browser to the loopback
//! listener — belongs to the authorization URL tokendeck issued: its `state`, then its issuer
//! (RFC 9207, looked at before anything else the answer says), then its error or its code. One
//! set of rules for both paths.

use super::authorize::CallbackParams;
use super::error::Error;
use super::provider::{Provider, same_issuer};
use super::secret::AuthorizationCode;

/// What an answer must show to be taken as the answer to one authorization URL.
#[derive(Clone, Debug)]
pub struct AnswerCheck {
    state: String,
    issuer: Option<String>,
    require_iss: bool,
}

impl AnswerCheck {
    /// The checks for the authorization URL that carried `state`, sent to `provider`.
    pub fn new(state: &str, provider: &Provider) -> AnswerCheck {
        AnswerCheck {
            state: state.to_string(),
            issuer: provider.issuer().map(str::to_string),
            require_iss: provider.requires_iss(),
        }
    }

    /// The `state` an answer must carry.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The code, if the answer is the one awaited and carries one; otherwise why not. Only a
    /// bare pasted code comes without `state` (the parsers refuse parameters without it): PKCE
    /// binds it to this attempt, and it has no `iss` to check.
    pub fn verify(&self, answer: CallbackParams) -> Result<AuthorizationCode, Error> {
        let bare_code = answer.state.is_none();
        if answer.state.as_ref().is_some_and(|s| *s != self.state) {
            return Err(Error::StateMismatch);
        }
        if let Some(expected) = &self.issuer {
            match &answer.iss {
                Some(got) if !same_issuer(expected, got) => {
                    return Err(Error::IssuerMismatch {
                        expected: expected.clone(),
                        got: got.clone(),
                    });
                }
                None if self.require_iss && !bare_code => {
                    return Err(Error::MissingIssuer {
                        expected: expected.clone(),
                    });
                }
                _ => {}
            }
        }
        if let Some(error) = answer.error {
            return Err(Error::AuthorizationDenied {
                error,
                description: answer.error_description,
            });
        }
        answer.code.ok_or(Error::MissingCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Provider {
        Provider::new("https://as.example/auth", "https://as.example/token")
            .unwrap()
            .with_issuer("https://as.example")
            .unwrap()
    }

    fn answer(query: &str) -> CallbackParams {
        CallbackParams::from_query(query).unwrap()
    }

    fn verify(provider: &Provider, query: &str) -> Result<String, Error> {
        AnswerCheck::new("s1", provider)
            .verify(answer(query))
            .map(|code| code.secret().to_string())
    }

    #[test]
    fn the_issuer_is_checked_before_the_error_or_the_code() {
        let p = provider();
        assert_eq!(
            verify(&p, "code=c&state=s1&iss=https%3A%2F%2Fas.example").unwrap(),
            "c"
        );
        assert_eq!(verify(&p, "code=c&state=s1").unwrap(), "c", "iss optional");
        for query in [
            "code=c&state=s1&iss=https%3A%2F%2Fevil.example",
            "error=access_denied&state=s1&iss=https%3A%2F%2Fevil.example",
        ] {
            assert!(
                matches!(verify(&p, query), Err(Error::IssuerMismatch { .. })),
                "{query}"
            );
        }
        assert!(matches!(
            verify(&p, "code=c&state=s2&iss=https%3A%2F%2Fas.example"),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            verify(&p, "error=access_denied&state=s1"),
            Err(Error::AuthorizationDenied { .. })
        ));
        assert!(matches!(verify(&p, "state=s1"), Err(Error::MissingCode)));
    }

    #[test]
    fn a_provider_that_always_sends_iss_must_send_it() {
        let p = provider().requiring_iss();
        let err = verify(&p, "code=c&state=s1").unwrap_err();
        assert!(matches!(err, Error::MissingIssuer { .. }), "{err:?}");
        assert!(!err.to_string().contains("code=c"));
        assert_eq!(
            verify(&p, "code=c&state=s1&iss=https%3A%2F%2Fas.example").unwrap(),
            "c"
        );
        let bare = CallbackParams::from_pasted("c0de").unwrap();
        assert!(
            AnswerCheck::new("s1", &p).verify(bare).is_ok(),
            "a bare code has no iss to show; PKCE binds it"
        );
    }
}
