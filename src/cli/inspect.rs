//! `inspect`: what an account's stored tokens say, as text or JSON. Never a token's value.

use std::sync::Arc;
use std::time::SystemTime;

use super::CliError;
use crate::store::Store;
use crate::text::{FORMAT_VERSION, printable_json};

pub async fn inspect(
    store: &Arc<Store>,
    name: &str,
    json: bool,
    introspect: bool,
) -> Result<(), CliError> {
    let report = crate::inspect::inspect(store, name, introspect).await?;
    if json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.insert("format_version".into(), FORMAT_VERSION.into());
        }
        let text = value.to_string();
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
