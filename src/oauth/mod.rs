//! The OAuth 2.0 protocol: endpoints, the authorization URL, the pasted answer, the loopback
//! callback, token requests and the authorized session. Knows nothing of storage or UI.

pub mod answer;
mod api;
pub mod authorize;
mod builder;
pub mod callback;
pub mod device;
pub mod error;
pub mod exchange;
pub mod hooks;
mod http;
pub mod id_token;
pub mod identity;
pub mod introspection;
pub mod jwt;
pub mod params;
pub mod presets;
pub mod provider;
pub mod redact;
pub mod refusal;
pub mod retry_after;
pub mod secret;
pub mod session;
pub mod token;
pub mod url_policy;

pub use answer::AnswerCheck;
pub use authorize::{CallbackParams, PendingAuthorization};
pub use builder::SessionBuilder;
pub use callback::CallbackListener;
pub use device::DeviceAuthorization;
pub use error::{BoxError, ConfigField, Error, ErrorCode, ErrorKind, Grant, Setting};
pub use exchange::AuthMethod;
pub use hooks::{PersistRetry, RefreshGuard, RefreshOutcome, RefreshReport, RefreshTrigger};
pub use http::DEFAULT_TIMEOUT;
pub use introspection::{Introspection, TokenKind};
pub use provider::Provider;
pub use redact::{SecretKind, Secrets};
pub use retry_after::RetryAfter;
pub use session::{Fetched, Session};
pub use token::{Tokens, refresh_lead};
