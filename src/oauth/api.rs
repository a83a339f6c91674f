//! The API side of a session: the client that carries the bearer token — a total time limit, and
//! redirects followed only where the URL policy allows — and reading an answer under a size cap,
//! so that a stalled or endless API cannot hang a script or fill its memory.

use std::time::Duration;

use super::error::Error;
use super::http;
use super::url_policy::{self, endpoint_label};

/// Redirects an API call follows at most.
const MAX_REDIRECTS: usize = 10;

/// The client for API calls. `timeout` bounds a whole request, answer included, unless the
/// request sets its own.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, Error> {
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            let error = format!("more than {MAX_REDIRECTS} redirects");
            attempt.error(error)
        } else if let Err(e) = url_policy::check(url_policy::UrlRole::RedirectTarget, attempt.url())
        {
            attempt.error(e.to_string())
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .redirect(redirects)
        .user_agent(concat!("tokendeck/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Config(format!("the HTTP client could not start: {e}")))
}

/// Reads `response`'s body, refusing one larger than `limit` bytes before it is all in memory.
/// `timeout` is the request's, for the message if the answer stalls.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    timeout: Duration,
) -> Result<bytes::Bytes, Error> {
    let url = endpoint_label(response.url());
    let too_large = || Error::AnswerTooLarge {
        url: url.clone(),
        limit,
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| http::transport_error(&url, timeout, e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
