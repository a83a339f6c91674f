//! `set`: changing an account's settings after `add` — a new client secret (read from standard
//! input, never from the command line), scopes, extra parameters, the callback URL, the API URL,
//! the client authentication method, the endpoints a person may name by hand.

use std::sync::Arc;

use super::shared::read_secret;
use super::words::said;
use super::{CliError, SetArgs};
use crate::app::set::{AccountChange, Endpoint};
use crate::store::Store;

pub async fn set(store: &Arc<Store>, args: SetArgs) -> Result<(), CliError> {
    let name = args.name;
    let change = AccountChange {
        client_id: args.client_id,
        client_secret: None,
        scopes: (!args.scopes.is_empty()).then_some(args.scopes),
        add_scopes: args.add_scopes,
        remove_scopes: args.remove_scopes,
        params: match args.no_params {
            true => Some(Vec::new()),
            false => (!args.params.is_empty()).then_some(args.params),
        },
        redirect_uri: args.redirect_uri,
        api_url: args.api_url,
        mail_user: args.mail_user,
        auth_method: args.auth_method.map(Into::into),
        endpoints: [
            (Endpoint::Authorization, args.authorize_url),
            (Endpoint::Token, args.token_url),
            (Endpoint::DeviceAuthorization, args.device_authorization_url),
            (Endpoint::Revocation, args.revocation_url),
            (Endpoint::Introspection, args.introspection_url),
            (Endpoint::Userinfo, args.userinfo_url),
        ]
        .into_iter()
        .filter_map(|(endpoint, url)| Some((endpoint, url?)))
        .collect(),
        hooks: args.on,
        refresh_token_lifetime: args.refresh_token_lifetime,
        shared: match (args.share, args.no_share) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        git_hosts: (!args.git_hosts.is_empty()).then(|| {
            args.git_hosts
                .into_iter()
                .filter(|h| !h.is_empty())
                .collect()
        }),
        git_user: args.git_user,
    };
    if change.is_empty() && !args.client_secret_stdin {
        return Err(CliError::Usage(format!(
            "nothing to change: give one or more of --client-id, --client-secret-stdin, --scope, --add-scope, --remove-scope, --param, --no-params, --redirect-uri, --api-url, --mail-user, --auth-method, --authorize-url, --token-url, --device-authorization-url, --revocation-url, --introspection-url, --userinfo-url, --on, --refresh-token-lifetime, --share, --no-share, --git-host, --git-user (see `tokendeck set --help`); `tokendeck show {name}` shows the account"
        )));
    }
    // The account must exist before anything is read from standard input.
    store.accounts()?.get(&name)?;
    let change = AccountChange {
        client_secret: match args.client_secret_stdin {
            true => Some(read_secret()?),
            false => None,
        },
        ..change
    };
    let changed = change.apply(store, &name).await?;
    for line in said::changed(&name, &changed) {
        eprintln!("{line}");
    }
    Ok(())
}
