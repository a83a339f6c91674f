//! Provider presets (Verizon Personal Cloud, Google, Gmail, Microsoft, Microsoft 365 mail,
//! GitHub), from assets/providers.toml embedded in the binary: the one list of them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::Error;
use super::exchange::AuthMethod;
use super::provider::Provider;

const PRESETS: &str = include_str!("../../assets/providers.toml");

/// A known provider and the defaults an account made from it starts with.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// What `--preset` takes and the accounts file records as the account's kind.
    pub id: String,
    pub name: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub issuer: Option<String>,
    /// Where the device authorization grant starts, when the provider offers it.
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// Where a grant is given back (RFC 7009), when the provider has such an endpoint.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// Where the provider's signing keys are, to check an ID token's signature.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// Where the account's identity is asked when no ID token names it (userinfo, GitHub's /user).
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub api_url: Option<String>,
    /// The callback this provider's app registration expects, when the default does not fit.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// Seconds; see `Account::refresh_at_least`.
    #[serde(default)]
    pub refresh_at_least: Option<u64>,
    /// How long a refresh token lives from when it is issued (seconds), as the provider
    /// documents it, for a forecast of a grant's death when its answers do not say.
    #[serde(default)]
    pub refresh_token_lifetime: Option<u64>,
    /// Where that lifetime is documented, said with the forecast.
    #[serde(default)]
    pub refresh_token_lifetime_source: Option<String>,
    /// Who refuses a client without its secret even where a public client would do (Google, for
    /// its desktop apps): an account added from the preset without one is warned, in their name.
    #[serde(default)]
    pub client_secret_required_by: Option<String>,
    /// The git remotes (`--git-host` patterns) the provider's tokens open, which an account made
    /// from the preset claims unless `--git-host` says otherwise.
    #[serde(default)]
    pub git_hosts: Vec<String>,
}

/// The file is an array of tables (`[[preset]]`), not a table keyed by id: a table's keys come
/// back sorted, an array keeps the order the file gives.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    preset: Vec<Preset>,
}

impl Preset {
    /// Every preset, in the file's order (the order pickers and `--help` show).
    pub fn all() -> Vec<Preset> {
        // The file is embedded and checked by the test below; a broken one offers no presets.
        toml::from_str::<PresetFile>(PRESETS)
            .map(|file| file.preset)
            .unwrap_or_default()
    }

    pub fn find(id: &str) -> Option<Preset> {
        Preset::all().into_iter().find(|p| p.id == id)
    }

    pub fn provider(&self) -> Result<Provider, Error> {
        let mut provider = Provider::new(&self.authorization_endpoint, &self.token_endpoint)?;
        if let Some(issuer) = &self.issuer {
            provider = provider.with_issuer(issuer)?;
        }
        if let Some(url) = &self.device_authorization_endpoint {
            provider = provider.with_device_authorization_endpoint(url)?;
        }
        if let Some(url) = &self.revocation_endpoint {
            provider = provider.with_revocation_endpoint(url)?;
        }
        if let Some(url) = &self.jwks_uri {
            provider = provider.with_jwks_uri(url)?;
        }
        if let Some(url) = &self.userinfo_endpoint {
            provider = provider.with_userinfo_endpoint(url)?;
        }
        Ok(provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_into_a_valid_provider() {
        let presets = Preset::all();
        let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
        // The file's order, which the TUI's picker and `--help` keep.
        assert_eq!(
            ids,
            [
                "verizon",
                "google",
                "gmail",
                "microsoft",
                "microsoft-mail",
                "github"
            ]
        );
        for preset in &presets {
            preset
                .provider()
                .unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        }
        let verizon = Preset::find("verizon").unwrap();
        assert_eq!(verizon.provider().unwrap(), Provider::verizon_cloud());
        assert!(verizon.params.contains_key("deviceid"));
        let device = |id: &str| {
            Preset::find(id)
                .unwrap()
                .provider()
                .unwrap()
                .device_authorization_endpoint()
                .is_some()
        };
        assert!(device("google") && device("microsoft") && device("github"));
        assert!(device("microsoft-mail"));
        // Google's device grant does not take the Gmail scope.
        assert!(!device("verizon") && !device("gmail"));
        let keys = |id: &str| {
            let provider = Preset::find(id).unwrap().provider().unwrap();
            provider.jwks_uri().map(|u| u.to_string())
        };
        assert_eq!(
            keys("google").as_deref(),
            Some("https://www.googleapis.com/oauth2/v3/certs")
        );
        assert_eq!(
            keys("microsoft").as_deref(),
            Some("https://login.microsoftonline.com/common/discovery/v2.0/keys")
        );
        let userinfo = |id: &str| {
            Preset::find(id)
                .unwrap()
                .provider()
                .unwrap()
                .userinfo_endpoint()
                .map(|u| u.to_string())
        };
        assert_eq!(
            userinfo("google").as_deref(),
            Some("https://openidconnect.googleapis.com/v1/userinfo")
        );
        assert_eq!(
            userinfo("microsoft").as_deref(),
            Some("https://graph.microsoft.com/oidc/userinfo")
        );
        assert_eq!(
            userinfo("github").as_deref(),
            Some("https://api.github.com/user")
        );
        assert_eq!(userinfo("verizon"), None);
        // Its access token is for outlook.office.com, which Graph's userinfo refuses.
        assert_eq!(userinfo("microsoft-mail"), None);
    }

    /// The mail presets ask for what their provider's IMAP and SMTP take, with the address for
    /// XOAUTH2 in the ID token, and what brings a refresh token; each is its provider's preset
    /// with other scopes.
    #[test]
    fn the_mail_presets_ask_for_mail_an_address_and_a_refresh_token() {
        let gmail = Preset::find("gmail").unwrap();
        let google = Preset::find("google").unwrap();
        assert_eq!(
            gmail.scopes,
            ["https://mail.google.com/", "openid", "email"]
        );
        assert_eq!(gmail.params, google.params);
        assert_eq!(gmail.params["access_type"], "offline");
        assert_eq!(gmail.params["prompt"], "consent");
        assert_eq!(
            gmail.provider().unwrap().token_endpoint(),
            google.provider().unwrap().token_endpoint()
        );

        let mail = Preset::find("microsoft-mail").unwrap();
        let microsoft = Preset::find("microsoft").unwrap();
        assert_eq!(
            mail.scopes,
            [
                "https://outlook.office.com/IMAP.AccessAsUser.All",
                "https://outlook.office.com/SMTP.Send",
                "offline_access",
                "openid",
                "email",
            ]
        );
        assert_eq!(mail.redirect_uri, microsoft.redirect_uri);
        assert_eq!(
            mail.provider().unwrap().token_endpoint(),
            microsoft.provider().unwrap().token_endpoint()
        );
        // Graph's /me would refuse an Outlook token: no API to test with.
        assert_eq!(mail.api_url, None);
    }

    #[test]
    fn only_github_claims_a_git_remote() {
        for preset in Preset::all() {
            let expected: &[&str] = match preset.id.as_str() {
                "github" => &["github.com"],
                _ => &[],
            };
            assert_eq!(preset.git_hosts, expected, "{}", preset.id);
        }
    }
}
