//! The agent: `tokendeck daemon` answers access tokens from memory over a Unix socket to
//! processes of its own user, one JSON object per line (`protocol`); `token` asks it first
//! (`client`). Where the socket lives (`place`), what the daemon remembers and when it forgets
//! (`memory`), what answers (`answering`), the listener (`server`) and its thread that answers at once (`fast_lane`), how often it says a refused connection (`refusals`) and
//! share.sock's narrower answers for ssh forwards (`share`) are each a module. It uses the application's token use case, and knows nothing of the command
//! line or the TUI.

mod answering;
pub mod client;
mod fast_lane;
pub mod memory;
pub mod place;
pub mod protocol;
mod refusals;
pub mod server;
pub mod share;
pub mod words;
