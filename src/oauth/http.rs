//! The HTTP client for protocol requests (token, discovery): redirects disabled (following one from
//! a token endpoint is an SSRF risk), bounded time, bounded body, and transport failures mapped to
//! classified errors with messages free of secrets.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, DATE, RETRY_AFTER};

use super::error::Error;
use super::retry_after::RetryAfter;
use super::url_policy;

/// Total time a protocol request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// No token endpoint answers with more than this; a larger body is refused, not buffered.
const MAX_BODY: usize = 1 << 20;

pub(crate) fn protocol_client(timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .user_agent(concat!("tokendeck/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Config(format!("the HTTP client could not start: {e}")))
}

/// A protocol answer read whole.
pub(crate) struct RawResponse {
    pub url: String,
    pub status: u16,
    pub body: Vec<u8>,
    /// The answer's `Date` header: the server's clock, when it said.
    pub date: Option<SystemTime>,
}

/// Sends `request` on `client` and reads the answer, mapping every transport failure to an
/// [`Error`]. 408, 429 and 5xx come back as [`Error::Unavailable`].
pub(crate) async fn execute(
    client: &reqwest::Client,
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<RawResponse, Error> {
    execute_limited(client, request, timeout, MAX_BODY).await
}

/// [`execute`] for an answer known to be smaller: a body over `limit` bytes is refused.
pub(crate) async fn execute_limited(
    client: &reqwest::Client,
    request: reqwest::RequestBuilder,
    timeout: Duration,
    limit: usize,
) -> Result<RawResponse, Error> {
    let request = request
        .header(ACCEPT, "application/json")
        .build()
        .map_err(|e| Error::Request(e.without_url().to_string()))?;
    // Whatever the provider's endpoints were read from, a secret goes nowhere the policy forbids.
    url_policy::check(url_policy::UrlRole::Endpoint, request.url())?;
    let url = url_policy::endpoint_label(request.url());
    let mut response = client
        .execute(request)
        .await
        .map_err(|e| transport_error(&url, timeout, e))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| RetryAfter::parse(v, SystemTime::now()));
    let date = response
        .headers()
        .get(DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    if status == 408 || status == 429 || (500..600).contains(&status) {
        return Err(Error::Unavailable {
            url,
            status,
            retry_after,
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&url, timeout, e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(Error::InvalidResponse {
                url,
                status,
                reason: format!("the answer is larger than {} KiB", limit / 1024),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse {
        url,
        status,
        body,
        date,
    })
}

pub(crate) fn transport_error(url: &str, timeout: Duration, error: reqwest::Error) -> Error {
    let url = url.to_string();
    if error.is_connect() {
        return Error::Unreachable {
            url,
            reason: root_cause(&error),
        };
    }
    if error.is_timeout() {
        return Error::Timeout {
            url,
            seconds: timeout.as_secs().max(1),
        };
    }
    Error::ConnectionLost {
        url,
        reason: root_cause(&error),
    }
}

/// The innermost cause, which says what happened ("Connection refused") without the URL.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
