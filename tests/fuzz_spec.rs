//! Fuzzing store specs and password redaction (issue 5 §6, §7): `StoreSpec::parse` and
//! `redact` never panic; a password from `scheme://user:pass@host` never survives `redact`,
//! `StoreSpec`'s Display/Debug, or a parse error message.
//! Long run: `PROPTEST_CASES=1000000 cargo test --release --test fuzz_spec`.

mod fuzz_common;

use fuzz_common::*;
use jvdb::store::{StoreSpec, redact, resolve};
use proptest::prelude::*;

/// Passwords: 6-20 printable non-space ASCII characters except '@' (an '@' ends the
/// userinfo by definition), with at least one letter so it cannot hide inside "***".
fn password() -> impl Strategy<Value = String> {
    "[A-Za-z][!-?A-~&&[^@]]{5,19}"
}

proptest! {
    #![proptest_config(config(5000))]

    #[test]
    fn parse_and_redact_never_panic(s in any::<String>()) {
        let _ = redact(&s);
        if let Ok(spec) = StoreSpec::parse(&s) {
            let _ = format!("{spec} {spec:?}");
        }
        let env = |_: &str| Some(s.clone());
        let _ = resolve(None, &env);
    }

    #[test]
    fn uri_passwords_never_survive(
        scheme in prop::sample::select(vec!["mongodb", "mongodb+srv", "MongoDB", "postgresql", "ftp", "json", "x-y.z"]),
        user in "[A-Za-z0-9._%-]{0,8}",
        pass in password(),
        host in "[a-z0-9.-]{1,12}(:[0-9]{1,5})?(,[a-z0-9.]{1,8}:[0-9]{1,5})?",
        suffix in prop_oneof![Just(String::new()), "/[a-z]{0,6}(\\?[a-z=&]{0,12})?", " and then [a-z '\\.]{0,20}", "'[ )a-z]{0,5}"],
        prefix in "[a-z :'\\(]{0,20}",
    ) {
        prop_assume!(!prefix.contains(&pass) && !suffix.contains(&pass) && !host.contains(&pass) && !user.contains(&pass) && !scheme.contains(&pass));
        let uri = format!("{scheme}://{user}:{pass}@{host}{suffix}");
        let text = format!("{prefix}{uri}");
        let r = redact(&text);
        prop_assert!(!r.contains(&pass), "{} -> {}", text, r);
        // twice in one message
        let r2 = redact(&format!("{text} to {uri}"));
        prop_assert!(!r2.contains(&pass), "{}", r2);
        // as a query option
        let q = redact(&format!("{scheme}://{host}/db?authSource=admin&password={pass}&w=1"));
        prop_assert!(!q.contains(&pass), "{}", q);
        match StoreSpec::parse(&uri) {
            Ok(spec) => {
                let shown = format!("{spec} {spec:?}");
                prop_assert!(!shown.contains(&pass), "{}", shown);
            }
            Err(e) => prop_assert!(!e.message.contains(&pass), "{}", e.message),
        }
    }
}
