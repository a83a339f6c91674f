//! The demo browser behind the TUI's demo-only `A` key: it plays the demo user at the demo
//! server — approving an authorization request and following the redirect to tokendeck's
//! callback, or approving a device grant's user code at the verification page.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use super::DemoServer;
use super::words::NotApproved;
use crate::tui::effects::DemoBrowser;

/// The link screen's `A`: approves an authorization URL or a verification URL of `server`'s, and
/// says what to do instead for any other provider's.
pub fn browser(server: &DemoServer) -> DemoBrowser {
    let own = [server.url("/authorize"), server.url("/device")];
    Arc::new(move |url: String| {
        let base = url.split('?').next().unwrap_or_default();
        let is_own = own.iter().any(|u| u == base);
        Box::pin(async move {
            if !is_own {
                return Err(NotApproved::NotTheDemo.to_string());
            }
            approve(url).await
        })
    })
}

/// Plays the browser as the demo user. Given an authorization URL, approves the request and
/// follows the redirect to the callback, where tokendeck's listener takes it. Given the device
/// grant's `verification_uri_complete` (`…/device?user_code=…`), approves that code; tokendeck's
/// polling then gets the tokens.
pub async fn approve(url: String) -> Result<(), String> {
    approved(url).await.map_err(|e| e.to_string())
}

async fn approved(url: String) -> Result<(), NotApproved> {
    let url = url::Url::parse(&url).map_err(NotApproved::NotAUrl)?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| NotApproved::NoClient(e.to_string()))?;
    if url.path() == "/device" {
        approve_device(&http, url).await
    } else {
        approve_authorization(&http, url).await
    }
}

async fn approve_authorization(http: &reqwest::Client, url: url::Url) -> Result<(), NotApproved> {
    let form: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .chain([("decision".to_string(), "approve".to_string())])
        .collect();
    let mut endpoint = url.clone();
    endpoint.set_query(None);
    let answer = http
        .post(endpoint)
        .form(&form)
        .send()
        .await
        .map_err(|e| NotApproved::ServerSilent(e.without_url().to_string()))?;
    let callback = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| NotApproved::Refused(answer.status()))?
        .to_string();
    http.get(&callback)
        .send()
        .await
        .map_err(|e| NotApproved::CallbackSilent(e.without_url().to_string()))?;
    Ok(())
}

async fn approve_device(http: &reqwest::Client, url: url::Url) -> Result<(), NotApproved> {
    let user_code = url
        .query_pairs()
        .find(|(k, _)| k == "user_code")
        .map(|(_, v)| v.into_owned())
        .ok_or(NotApproved::NoUserCode)?;
    let mut endpoint = url.clone();
    endpoint.set_query(None);
    let answer = http
        .post(endpoint)
        .form(&[("user_code", user_code.as_str()), ("decision", "approve")])
        .send()
        .await
        .map_err(|e| NotApproved::ServerSilent(e.without_url().to_string()))?;
    match answer.status() {
        StatusCode::OK => Ok(()),
        status => Err(NotApproved::CodeRefused(status)),
    }
}
