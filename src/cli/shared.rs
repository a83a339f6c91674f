//! What the commands share: how they treat new tokens the keyring will not take, the keyring's
//! warning, and a secret read from standard input.

use std::io::Read;

use super::CliError;
use super::words::said;
use crate::store::Store;

/// How commands treat new tokens the keyring will not take: they wait up to 30 s for it to come
/// back, saying so once on stderr (the tokens are held meanwhile, never dropped). A refresh
/// answer's ID token that was not kept is said on stderr too.
pub(super) fn persistence() -> crate::app::Persistence {
    const PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);
    crate::app::Persistence::for_a_while(PATIENCE, |retry| {
        if retry.attempt == 1 {
            let cause = match retry.error.storage_cause() {
                Some(cause) => cause.to_string(),
                None => retry.error.to_string(),
            };
            eprintln!(
                "tokendeck: {}",
                crate::text::printable(
                    &said::holding_unsaved(&cause, PATIENCE),
                    crate::text::Lines::One
                )
            );
        }
    })
    .telling_refused_id_tokens(|problems| {
        let message = crate::oauth::id_token::not_kept_message(problems);
        eprintln!(
            "tokendeck: warning: {}",
            crate::text::printable(&message, crate::text::Lines::One)
        );
    })
}

/// Prints the keyring's warning (tokens lost at reboot) once per command that uses it.
pub(super) async fn warn_about_keyring(store: &Store) {
    if let Ok(keyring) = store.keyring().await
        && let Some(warning) = keyring.warning()
    {
        eprintln!("tokendeck: warning: {warning}");
    }
}

/// The client secret from standard input: one line, or all of it, without the final newline.
pub(super) fn read_secret() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        CliError::Io(format!(
            "could not read the client secret from standard input: {e}"
        ))
    })?;
    let secret = text.trim_end_matches(['\r', '\n']).to_string();
    if secret.is_empty() {
        return Err(CliError::Usage(
            "--client-secret-stdin was given but standard input was empty: pipe the secret in, e.g. `pass show app | tokendeck add …`".into(),
        ));
    }
    Ok(secret)
}
