//! The arguments that say what an account is: `add`'s and `set`'s settings, and the checks of
//! what is typed for them (a preset, a duration, a parameter, a git remote, a mail user).

use clap::Args;
use clap::ValueEnum;
use clap::builder::{PossibleValue, PossibleValuesParser};

use crate::oauth::AuthMethod;
use crate::oauth::presets::Preset;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("provider").required(true).args(["preset", "issuer", "authorize_url"]))]
pub struct AddArgs {
    /// A name for the account: up to 64 letters, digits, `-`, `_` and `.` (not first)
    pub name: String,
    /// A known provider
    #[arg(long, value_name = "ID", value_parser = preset_ids())]
    pub preset: Option<String>,
    /// An OpenID Connect issuer, read by discovery
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Custom endpoints: the authorization endpoint …
    #[arg(long, value_name = "URL", requires = "token_url")]
    pub authorize_url: Option<String>,
    /// … and the token endpoint
    #[arg(long, value_name = "URL", requires = "authorize_url")]
    pub token_url: Option<String>,
    /// The client id the provider gave this application
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Read the client secret from standard input (never from the command line)
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// The callback URL registered at the provider [default: http://127.0.0.1:8765/callback]
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// A scope to request (repeat for more, or give several split by spaces: "openid email";
    /// replaces the preset's)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// An extra authorization parameter, such as deviceid=my-laptop (repeatable)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// How the client authenticates at the token endpoint [default: basic with a secret, none without]
    #[arg(long, value_enum)]
    pub auth_method: Option<AuthMethodArg>,
    /// An API URL to test the account with (`t` in the TUI)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The address mail clients log in as, which `token --format xoauth2` names [default: the
    /// ID token's email]
    #[arg(long, value_name = "ADDRESS", value_parser = parse_mail_user)]
    pub mail_user: Option<String>,
    /// The device authorization endpoint, for `link --device` (presets and discovery know it)
    #[arg(long, value_name = "URL")]
    pub device_authorization_url: Option<String>,
    /// The revocation endpoint, where `remove` gives the grant back (presets and discovery know it)
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    /// The userinfo endpoint, where the account's identity is asked when its ID token does not
    /// say (presets and discovery know it)
    #[arg(long, value_name = "URL")]
    pub userinfo_url: Option<String>,
    /// The introspection endpoint (RFC 7662), where `inspect --introspect` asks about the access
    /// token (discovery knows it)
    #[arg(long, value_name = "URL")]
    pub introspection_url: Option<String>,
    /// Run COMMAND when EVENT happens to the account: refreshed, refresh-failed, needs-relink,
    /// linked or removed (repeatable). The command runs without a shell (write `sh -c '…'` for
    /// one), with TOKENDECK_ACCOUNT, TOKENDECK_EVENT, TOKENDECK_EXPIRES_AT, TOKENDECK_MESSAGE set
    #[arg(long = "on", value_name = "EVENT=COMMAND")]
    pub on: Vec<crate::store::HookChange>,
    /// How long the provider's refresh tokens live (7d, 90d, 12h), for the forecast of when the
    /// account must be linked again, when the provider's answers do not say (over the preset's)
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime)]
    pub refresh_token_lifetime: Option<u64>,
    /// Let `tokendeck daemon --share` hand this account's access token to share.sock, the socket
    /// meant for an ssh forward (`ssh -R`); the refresh token never leaves this machine
    #[arg(long)]
    pub share: bool,
    /// A git remote the account's tokens are for, HOST[:PORT][/PATH] (repeatable): `tokendeck
    /// git-credential` answers git's requests for it [default: the preset's, github.com for
    /// github; an empty one: none]
    #[arg(long = "git-host", value_name = "HOST[:PORT][/PATH]", value_parser = parse_git_host)]
    pub git_hosts: Vec<String>,
    /// The user name git gets with the token [default: oauth2]
    #[arg(long, value_name = "NAME", value_parser = parse_git_user)]
    pub git_user: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The account's name
    pub name: String,
    /// A new client id (the grant held was made for the old one: link again)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read a new client secret from standard input (never from the command line); the tokens
    /// are kept
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// A scope to request (repeat for more, or split them by spaces; replaces all of them)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// A scope to add to the list (repeatable)
    #[arg(long = "add-scope", value_name = "S")]
    pub add_scopes: Vec<String>,
    /// A scope to take out of the list (repeatable)
    #[arg(long = "remove-scope", value_name = "S")]
    pub remove_scopes: Vec<String>,
    /// An extra authorization parameter (repeatable; replaces all of them)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Remove every extra authorization parameter
    #[arg(long, conflicts_with = "params")]
    pub no_params: bool,
    /// The callback URL registered at the provider
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// An API URL to test the account with (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// The address mail clients log in as, for `token --format xoauth2` (an empty one removes it)
    #[arg(long, value_name = "ADDRESS", value_parser = parse_mail_user)]
    pub mail_user: Option<String>,
    /// How the client authenticates at the token endpoint (`none` deletes the client secret)
    #[arg(long, value_enum)]
    pub auth_method: Option<AuthMethodArg>,
    /// The authorization endpoint (the grant held was made through the old one: link again)
    #[arg(long, value_name = "URL")]
    pub authorize_url: Option<String>,
    /// The token endpoint (the grant held was made at the old one: link again)
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// The device authorization endpoint, for `link --device` (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub device_authorization_url: Option<String>,
    /// The revocation endpoint, where `remove` gives the grant back (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    /// The introspection endpoint, for `inspect --introspect` (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub introspection_url: Option<String>,
    /// The userinfo endpoint, where the account's identity is asked (an empty one removes it)
    #[arg(long, value_name = "URL")]
    pub userinfo_url: Option<String>,
    /// Run COMMAND when EVENT happens to the account: refreshed, refresh-failed, needs-relink,
    /// linked or removed (repeatable). The command runs without a shell (write `sh -c '…'` for
    /// one), with TOKENDECK_ACCOUNT, TOKENDECK_EVENT, TOKENDECK_EXPIRES_AT, TOKENDECK_MESSAGE set; an
    /// empty COMMAND (`--on refreshed=`) removes the hook
    #[arg(long = "on", value_name = "EVENT=COMMAND")]
    pub on: Vec<crate::store::HookChange>,
    /// How long the provider's refresh tokens live (7d, 90d, 12h), for the forecast of when the
    /// account must be linked again (an empty one removes it: the preset's, if any, applies)
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime)]
    pub refresh_token_lifetime: Option<u64>,
    /// Let `tokendeck daemon --share` hand this account's access token to share.sock, the socket
    /// meant for an ssh forward (`ssh -R`); the refresh token never leaves this machine
    #[arg(long, conflicts_with = "no_share")]
    pub share: bool,
    /// Stop handing this account's access token to share.sock
    #[arg(long)]
    pub no_share: bool,
    /// A git remote the account's tokens are for, HOST[:PORT][/PATH] (repeatable; replaces all
    /// of them; an empty one removes them)
    #[arg(long = "git-host", value_name = "HOST[:PORT][/PATH]", value_parser = parse_git_host)]
    pub git_hosts: Vec<String>,
    /// The user name git gets with the token (an empty one: oauth2)
    #[arg(long, value_name = "NAME", value_parser = parse_git_user)]
    pub git_user: Option<String>,
}

/// `--preset`'s values are the ids in assets/providers.toml, so that `--help`, completions and
/// the check of what was typed all follow the one list of presets.
fn preset_ids() -> PossibleValuesParser {
    PossibleValuesParser::new(
        Preset::all()
            .into_iter()
            .map(|preset| PossibleValue::new(preset.id).help(preset.name)),
    )
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AuthMethodArg {
    Basic,
    Post,
    None,
}

impl From<AuthMethodArg> for AuthMethod {
    fn from(arg: AuthMethodArg) -> Self {
        match arg {
            AuthMethodArg::Basic => AuthMethod::Basic,
            AuthMethodArg::Post => AuthMethod::Post,
            AuthMethodArg::None => AuthMethod::None,
        }
    }
}

/// `7d`, `90d`, `12h` in seconds; an empty one is 0 (for `set`: none).
fn parse_lifetime(raw: &str) -> Result<u64, String> {
    if raw.trim().is_empty() {
        return Ok(0);
    }
    humantime::parse_duration(raw.trim())
        .map(|span| span.as_secs())
        .map_err(|_| format!("{raw:?} is not a duration such as 7d, 90d or 12h"))
}

/// A mail user is written into the SASL string between \x01 separators: no control character
/// may stand in it.
fn parse_mail_user(raw: &str) -> Result<String, String> {
    let user = raw.trim();
    match user.chars().any(char::is_control) {
        true => Err(format!(
            "{raw:?} has a control character; give an address such as me@example.com"
        )),
        false => Ok(user.to_string()),
    }
}

/// A `--git-host` pattern, checked as the store reads it; an empty one is kept (for `set`: none).
fn parse_git_host(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Ok(String::new());
    }
    crate::store::git::GitHost::parse(raw)
        .map(|_| raw.trim().to_string())
        .map_err(|why| format!("{raw:?} is not a git remote: {why}"))
}

/// A `--git-user`: one line of git's protocol, so no control character.
fn parse_git_user(raw: &str) -> Result<String, String> {
    match raw.chars().any(char::is_control) {
        true => Err("a git user name cannot hold a control character".into()),
        false => Ok(raw.to_string()),
    }
}

fn parse_param(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("{raw:?} is not KEY=VALUE")),
    }
}
