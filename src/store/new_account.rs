//! A new account as a person gives it (the CLI's `add`, the TUI's form), and what can be checked
//! of it before anything is asked of the network or the store. Making it — preset defaults,
//! OpenID Connect discovery, the store — is the application's (`app::add`).

mod check;
mod input;

pub(crate) use check::{check_api_url, check_params, check_session};
pub use input::{DEFAULT_REDIRECT_URI, Field, NewAccount, NewAccountError, Source};
