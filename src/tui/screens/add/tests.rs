//! The add form's checks, without a terminal.

use super::*;

fn custom_form() -> AddForm {
    let mut form = AddForm::new();
    form.choice = form
        .choices
        .iter()
        .position(|c| *c == Choice::Custom)
        .expect("custom endpoints are offered");
    form.apply_preset();
    form
}

/// Once an authorization URL's problem was shown under Token URL, one problem per Enter.
#[test]
fn every_field_is_checked_at_once_and_each_error_is_beside_its_own_field() {
    let mut form = custom_form();
    form.set(Input::Name, "no spaces allowed");
    form.set(Input::AuthorizeUrl, "http://as.example/authorize");
    form.set(Input::TokenUrl, "https://as.example/token");
    form.set(Input::ClientId, "");
    form.set(Input::Params, "justakey");
    let errors = form.request().expect_err("four problems");
    let mut inputs: Vec<Input> = errors.keys().copied().collect();
    inputs.sort_by_key(|i| form.inputs().iter().position(|x| x == i));
    assert_eq!(
        inputs,
        [
            Input::Name,
            Input::AuthorizeUrl,
            Input::ClientId,
            Input::Params
        ]
    );
    assert!(errors[&Input::AuthorizeUrl].contains("authorization endpoint"));
}

#[test]
fn a_preset_brings_its_own_callback_and_the_others_the_default() {
    let mut form = AddForm::new();
    while !matches!(&form.choices[form.choice], Choice::Preset { id, .. } if id == "microsoft") {
        form.cycle_choice(true);
    }
    assert_eq!(
        form.value(Input::RedirectUri),
        "http://localhost:0/callback"
    );
    // Microsoft 365 mail is registered as Microsoft is.
    form.cycle_choice(true);
    assert!(
        matches!(&form.choices[form.choice], Choice::Preset { id, .. } if id == "microsoft-mail")
    );
    assert_eq!(
        form.value(Input::RedirectUri),
        "http://localhost:0/callback"
    );
    form.cycle_choice(true);
    assert_eq!(form.value(Input::RedirectUri), DEFAULT_REDIRECT_URI);
}
