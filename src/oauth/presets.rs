//! Provider presets (Verizon Personal Cloud, Google, Microsoft, GitHub), from
//! assets/providers.toml embedded in the binary.

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
    #[serde(skip)]
    pub id: String,
    pub name: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub auth_method: AuthMethod,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub api_url: Option<String>,
    /// Seconds; see `Account::refresh_at_least`.
    #[serde(default)]
    pub refresh_at_least: Option<u64>,
}

impl Preset {
    /// Every preset, in the file's order.
    pub fn all() -> Vec<Preset> {
        let table: toml::Table = toml::from_str(PRESETS).unwrap_or_default();
        table
            .into_iter()
            .filter_map(|(id, value)| {
                let mut preset: Preset = value.try_into().ok()?;
                preset.id = id;
                Some(preset)
            })
            .collect()
    }

    pub fn find(id: &str) -> Option<Preset> {
        Preset::all().into_iter().find(|p| p.id == id)
    }

    pub fn provider(&self) -> Result<Provider, Error> {
        let provider = Provider::new(&self.authorization_endpoint, &self.token_endpoint)?;
        match &self.issuer {
            Some(issuer) => provider.with_issuer(issuer),
            None => Ok(provider),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_into_a_valid_provider() {
        let presets = Preset::all();
        let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
        // toml tables are sorted by key.
        assert_eq!(ids, ["github", "google", "microsoft", "verizon"]);
        for preset in &presets {
            preset
                .provider()
                .unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        }
        let verizon = Preset::find("verizon").unwrap();
        assert_eq!(verizon.provider().unwrap(), Provider::verizon_cloud());
        assert!(verizon.params.contains_key("deviceid"));
    }
}
