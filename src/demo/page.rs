//! The demo server's HTML: the consent page (approve / deny) and short messages. Every value
//! from the request is escaped.

use std::collections::HashMap;

/// The parameters the consent form carries back with the decision.
const CARRIED: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

pub fn consent(params: &HashMap<String, String>) -> String {
    let hidden: String = CARRIED
        .iter()
        .filter_map(|name| {
            let value = params.get(*name)?;
            Some(format!(
                "<input type=hidden name=\"{name}\" value=\"{}\">",
                escape(value)
            ))
        })
        .collect();
    let scope = params.get("scope").map_or("(none)", String::as_str);
    layout(
        "Approve tokendeck?",
        &format!(
            "<p><b>tokendeck (demo)</b> asks to act as <b>Demo User</b> with the scope <code>{}</code>.</p>\
             <form method=post action=/authorize>{hidden}\
             <button name=decision value=approve>Approve</button> \
             <button name=decision value=deny>Deny</button></form>\
             <p><small>This is tokendeck's built-in demo server. Nothing leaves this machine.</small></p>",
            escape(scope)
        ),
    )
}

pub fn message(title: &str, text: &str) -> String {
    layout(title, &format!("<p>{}</p>", escape(text)))
}

pub fn home(issuer: &str) -> String {
    message(
        "tokendeck demo server",
        &format!("An OAuth 2.0 authorization server for `tokendeck --demo`, at {issuer}."),
    )
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><meta charset=utf-8><title>{t}</title>\
         <body style=\"font-family:sans-serif;max-width:36em;margin:3em auto\"><h1>{t}</h1>{body}</body>",
        t = escape(title)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
