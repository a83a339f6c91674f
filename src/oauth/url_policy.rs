//! The URL policy: where a token or a secret may be sent. https, or plain http to a loopback
//! address only, where nothing crosses a network. One check, made wherever a token or secret is
//! about to travel — token requests, API calls through a session — and on every URL read back from
//! a file a person may have edited.

mod role;

pub use role::UrlRole;

use url::Url;

use super::error::Error;

/// Refuses `url` unless a secret may travel to it. `what` names it in the message.
pub fn check(what: UrlRole, url: &Url) -> Result<(), Error> {
    let refuse = |reason: &str| {
        Err(Error::InvalidUrl {
            what,
            // The query may carry a key; the message never does.
            url: endpoint_label(url),
            reason: reason.to_string(),
        })
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => refuse(
            "plain http would send secrets unencrypted; use https (plain http is allowed only to a loopback address such as 127.0.0.1)",
        ),
        _ => refuse("only https URLs are supported"),
    }
}

/// Parses `raw` as an absolute URL and applies [`check`].
pub fn parse(what: UrlRole, raw: &str) -> Result<Url, Error> {
    // Not a URL, so no query can be cut from it: whatever follows a `?` may be a key.
    let shown = raw.split(['?', '#']).next().unwrap_or_default();
    let url = Url::parse(raw.trim()).map_err(|e| Error::InvalidUrl {
        what,
        url: shown.to_string(),
        reason: match e {
            // Typed without its scheme (`login.example.com`): say so, with it put in front.
            url::ParseError::RelativeUrlWithoutBase => format!(
                "it has no scheme; give the whole URL, such as https://{}",
                shown.trim().trim_start_matches('/')
            ),
            e => format!("{e}; give an absolute URL such as https://example.com/oauth"),
        },
    })?;
    check(what, &url)?;
    Ok(url)
}

/// 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The endpoint as shown in messages: scheme, host, port and path, never a query.
pub(crate) fn endpoint_label(url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A URL typed without its scheme is said so, with the scheme put in front of what was
    /// typed — up to a `?`, as with every URL not parsed (what follows may be a key).
    #[test]
    fn a_url_without_its_scheme_is_said_so_and_its_query_never_repeated() {
        let error = parse(UrlRole::Issuer, "login.example.com/t?key=s3cret").unwrap_err();
        let said = error.to_string();
        assert!(
            said.contains(
                "it has no scheme; give the whole URL, such as https://login.example.com/t"
            ),
            "{said}"
        );
        assert!(!said.contains("s3cret"), "{said}");
    }

    #[test]
    fn https_anywhere_and_http_only_to_loopback() {
        for ok in [
            "https://api.example/me",
            "https://10.0.0.1/x",
            "http://127.0.0.1:8080/cb",
            "http://127.3.2.1/x",
            "http://[::1]:9/x",
            "http://LOCALHOST/x",
        ] {
            assert!(parse(UrlRole::Api, ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.invalid/",
            "http://10.0.0.1/x",
            "http://localhost.example/x",
            "http://127.0.0.1.example/x",
            "http://[::2]/x",
            "ftp://example.com/x",
            "file:///etc/passwd",
            "ws://127.0.0.1/x",
            "example.com/x",
            "",
        ] {
            let err = parse(UrlRole::Api, bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidUrl {
                        what: UrlRole::Api,
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn the_message_says_what_to_do_and_never_shows_the_query() {
        let err = parse(UrlRole::Api, "http://api.example/me?api_key=hunter2").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("plain http would send secrets unencrypted; use https"),
            "{msg}"
        );
        assert!(
            msg.contains("http://api.example/me") && !msg.contains("hunter2"),
            "{msg}"
        );
    }
}
