use super::*;

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn scopes_dropped_and_added() {
    let requested = words(&["openid", "offline_access", "drive"]);
    let s = scopes(&requested, Some("openid profile"), true);
    assert_eq!(
        s.dropped,
        words(&["drive"]),
        "a refresh token grants offline_access"
    );
    assert_eq!(s.added, words(&["profile"]));
    let s = scopes(&requested, Some("openid profile"), false);
    assert_eq!(s.dropped, words(&["offline_access", "drive"]));
    let s = scopes(&requested, None, true);
    assert_eq!((s.granted, s.dropped, s.added), (None, vec![], vec![]));
}

/// Microsoft Graph's access tokens never verify for a client (a `nonce` only Graph checks):
/// said as such, not as an altered token. The same failure in an ID token stays "invalid".
#[test]
fn a_graph_access_token_is_not_called_altered() {
    use base64::Engine as _;
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let b = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let jwk = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"k","x":"{}"}}]}}"#,
        b(pair.public_key().as_ref())
    );
    let jwks = Jwks::parse(jwk.as_bytes()).unwrap();
    let signed = |header: &str| {
        let input = format!("{}.{}", b(header.as_bytes()), b(br#"{"aud":"graph"}"#));
        // Signed over other bytes, as Graph's are (over a hashed nonce): never verifies.
        format!("{input}.{}", b(pair.sign(b"something else").as_ref()))
    };
    let graph = signed(r#"{"alg":"EdDSA","kid":"k","nonce":"abc"}"#);
    let keys = Keys::Fetched {
        uri: "https://as.example/keys".into(),
        count: 1,
    };
    let word = |report: TokenReport| match report {
        TokenReport::Jwt { signature, .. } => signature,
        TokenReport::Opaque { .. } => "opaque",
    };
    assert_eq!(
        word(token_report(&graph, Some(&jwks), &keys, true)),
        "unsupported"
    );
    assert_eq!(
        word(token_report(&graph, Some(&jwks), &keys, false)),
        "invalid"
    );
    let plain = signed(r#"{"alg":"EdDSA","kid":"k"}"#);
    assert_eq!(
        word(token_report(&plain, Some(&jwks), &keys, true)),
        "invalid"
    );
}

#[test]
fn skew_prefers_the_servers_date_and_distrusts_an_old_id_token() {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let jwt = |iat: SystemTime| {
        use base64::Engine as _;
        let b = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let iat = iat
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let token = format!(
            "{}.{}.c2ln",
            b(r#"{"alg":"RS256"}"#.into()),
            b(format!(r#"{{"iat":{iat}}}"#))
        );
        Jwt::decode(&token).unwrap()
    };
    let ahead = t + Duration::from_secs(90);
    let s = skew(t, Some((ahead, t)), None, None).unwrap();
    assert_eq!((s.seconds, s.source, s.warning), (90, "server_date", true));
    let s = skew(t, None, None, Some(&jwt(t - Duration::from_secs(30)))).unwrap();
    assert_eq!(
        (s.seconds, s.source, s.warning),
        (-30, "id_token_iat", false)
    );
    // Backdated by 5 minutes (Microsoft): no warning; a provider 2 minutes ahead: one.
    let s = skew(t, None, None, Some(&jwt(t - Duration::from_secs(300)))).unwrap();
    assert!(!s.warning);
    let s = skew(t, None, None, Some(&jwt(t + Duration::from_secs(120)))).unwrap();
    assert!(s.warning);
    let s = skew(t, Some((t - Duration::from_secs(120), t)), None, None).unwrap();
    assert!(s.warning, "a Date 2 minutes behind is not backdating");
    // An ID token from hours before these tokens says nothing about the clock.
    assert_eq!(
        skew(t, None, None, Some(&jwt(t - Duration::from_secs(7200)))),
        None
    );
    let s = skew(t, None, Some(&jwt(ahead)), Some(&jwt(t))).unwrap();
    assert_eq!(s.source, "access_token_iat");
}
