//! `set`: changing an account's settings after `add` — a new client secret (read from standard
//! input, never from the command line), scopes, extra parameters, the callback URL, the API URL,
//! the client authentication method, the endpoints a person may name by hand.

use std::sync::Arc;

use super::accounts::read_secret;
use super::{CliError, SetArgs};
use crate::app::set::{AccountChange, Endpoint};
use crate::store::Store;

pub async fn set(store: &Arc<Store>, args: SetArgs) -> Result<(), CliError> {
    let name = args.name;
    let change = AccountChange {
        client_secret: None,
        scopes: (!args.scopes.is_empty()).then_some(args.scopes),
        params: match args.no_params {
            true => Some(Vec::new()),
            false => (!args.params.is_empty()).then_some(args.params),
        },
        redirect_uri: args.redirect_uri,
        api_url: args.api_url,
        auth_method: args.auth_method.map(Into::into),
        endpoints: [
            (Endpoint::DeviceAuthorization, args.device_authorization_url),
            (Endpoint::Revocation, args.revocation_url),
            (Endpoint::Introspection, args.introspection_url),
            (Endpoint::Userinfo, args.userinfo_url),
        ]
        .into_iter()
        .filter_map(|(endpoint, url)| Some((endpoint, url?)))
        .collect(),
        hooks: args.on,
    };
    if change.is_empty() && !args.client_secret_stdin {
        return Err(CliError::Usage(format!(
            "nothing to change: give one or more of --client-secret-stdin, --scope, --param, --no-params, --redirect-uri, --api-url, --auth-method, --device-authorization-url, --revocation-url, --introspection-url, --userinfo-url, --on (see `tokendeck set --help`); `tokendeck status {name}` shows the account"
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
    if changed.settings.is_empty() && !changed.secret_removed {
        eprintln!("{name:?} already had these settings; nothing changed.");
        return Ok(());
    }
    let mut what = changed.settings.join(", ");
    if changed.secret_removed {
        if !what.is_empty() {
            what.push_str("; ");
        }
        what.push_str("the client secret was deleted (a public client has none)");
    }
    eprintln!("Changed {name:?}: {what}.");
    let credentials = changed.settings.contains(&"client secret")
        || changed.settings.contains(&"client authentication");
    if credentials {
        // A refused client is not a dead grant: with the new credentials, the next refresh may
        // work, so no backoff from the old ones stands in its way.
        store.update_status(&name, |status| {
            status.failures = 0;
            status.retry_at = None;
        })?;
        let status = store.status(&name);
        if status.last_refresh.as_ref().is_some_and(|r| !r.ok) {
            eprintln!(
                "Its tokens are kept. Its last refresh failed; `tokendeck refresh {name}` tries again with the new settings."
            );
        }
    }
    if changed.applies_at_next_link {
        eprintln!(
            "The authorization request changed: it takes effect when you link again with `tokendeck link {name}`."
        );
    }
    Ok(())
}
