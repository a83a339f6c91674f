//! `inspect`: what an account's stored tokens say, as text or JSON. Never a token's value.

use std::sync::Arc;
use std::time::SystemTime;

use super::CliError;
use crate::store::Store;
use crate::text::printable_json;

pub async fn inspect(
    store: &Arc<Store>,
    name: &str,
    json: bool,
    introspect: bool,
) -> Result<(), CliError> {
    let report = crate::inspect::inspect(store, name, introspect).await?;
    if json {
        let text = serde_json::to_string(&report).unwrap_or_default();
        println!("{}", printable_json(&text));
        return Ok(());
    }
    let sections = crate::inspect::sections(
        &report,
        SystemTime::now(),
        &crate::time::local_zone(),
        &format!("`tokendeck inspect {name} --introspect`"),
    );
    let title = crate::text::printable(name, crate::text::Lines::One);
    print!("{title}\n{}", crate::inspect::to_text(&sections));
    Ok(())
}
