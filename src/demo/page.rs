//! The demo server's HTML: the consent page (approve / deny), the device grant's verification
//! pages and short messages. Every value from the request is escaped.

use std::collections::HashMap;

use super::device::Outcome;

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
             <button name=decision value=deny>Deny</button></form>{FOOTER}",
            escape(scope)
        ),
    )
}

/// The verification page without a code (or with one the server does not know): a field to
/// type it, and the two answers.
pub fn device_entry(problem: Option<&str>) -> String {
    let problem = problem.map_or(String::new(), |p| format!("<p><b>{}</b></p>", escape(p)));
    layout(
        "Link a device",
        &format!(
            "{problem}<p>Type the code tokendeck shows.</p>\
             <form method=post action=/device>\
             <input name=user_code placeholder=XXXX-XXXX autocomplete=off autofocus \
             style=\"font-size:2em;width:7em;letter-spacing:.1em;text-transform:uppercase\"> \
             <p><button name=decision value=approve>Approve</button> \
             <button name=decision value=deny>Deny</button></p></form>{FOOTER}"
        ),
    )
}

/// The verification page for a code: check it against the one tokendeck shows, then answer.
pub fn device_confirm(user_code: &str) -> String {
    let code = escape(user_code);
    layout(
        "Link a device",
        &format!(
            "<p><b>tokendeck (demo)</b> asks to act as <b>Demo User</b>. \
             Approve only if tokendeck shows this code:</p>\
             <p style=\"font-size:2.5em;font-family:monospace;letter-spacing:.1em\">{code}</p>\
             <form method=post action=/device><input type=hidden name=user_code value=\"{code}\">\
             <button name=decision value=approve>Approve</button> \
             <button name=decision value=deny>Deny</button></form>{FOOTER}"
        ),
    )
}

/// What the demo user's answer came to, and what happens next.
pub fn device_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Approved => message(
            "Approved",
            "tokendeck gets its tokens at its next poll, within a few seconds. You can close this page.",
        ),
        Outcome::Denied => message(
            "Denied",
            "tokendeck will say that the request was declined. To try again, start the link again there.",
        ),
        Outcome::Unknown => device_entry(Some(
            "The demo server knows no such code: check it against the one tokendeck shows.",
        )),
        Outcome::Expired => message(
            "This code has expired",
            "Start the link again in tokendeck for a new code.",
        ),
        Outcome::AlreadyDecided { approved: true } => message(
            "Already approved",
            "This code was approved already: tokendeck has its tokens, or gets them at its next poll.",
        ),
        Outcome::AlreadyDecided { approved: false } => message(
            "Already denied",
            "This code was denied. To try again, start the link again in tokendeck for a new code.",
        ),
    }
}

const FOOTER: &str =
    "<p><small>This is tokendeck's built-in demo server. Nothing leaves this machine.</small></p>";

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
