//! Store specs, DSNs and password redaction (src/store/mod.rs `StoreSpec::parse`, `redact`;
//! src/store/sqlite.rs `parse_location`; src/store/postgres/conn.rs `settings`; the MongoDB
//! URI as jvdb opens it). Never a panic, and a password never shows.
//!
//! Input: the whole input (lossy UTF-8) goes through every parser. Then the first byte picks a
//! scheme and the rest, split at newlines, gives user, password, host, suffix and prefix of
//! `PREFIX SCHEME://USER:PASSWORD@HOST SUFFIX`: the password must not survive `redact` (in
//! the URI, twice in one message, as a `password=` option), the spec's Display/Debug or parse
//! error, the PostgreSQL settings' shown form (its `describe()`) or error, or jvdb's error
//! for a MongoDB URI the driver rejects (`mongo::client_options`, before any connection).
#![no_main]

use jvdb::store::{StoreSpec, mongo, postgres, redact, sqlite};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

const SCHEMES: &[&str] = &[
    "mongodb",
    "mongodb+srv",
    "MongoDB",
    "postgresql",
    "postgres",
    "sqlite",
    "json",
    "memory",
    "ftp",
    "x-y.z",
];

static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
});

/// The error jvdb gives for a MongoDB URI before it connects (`client_options`, the first
/// step of `MongoStore::open`): `None` when the driver accepts the URI.
fn mongo_open_error(uri: &str) -> Option<String> {
    // mongodb+srv:// would look up DNS records; only plain URIs are asked.
    if !uri.starts_with("mongodb://") {
        return None;
    }
    RT.block_on(mongo::client_options(uri))
        .err()
        .map(|e| e.message)
}

/// Every parser on any text: no panic.
fn any_text(s: &str) {
    let _ = redact(s);
    if let Ok(spec) = StoreSpec::parse(s) {
        let _ = format!("{spec} {spec:?}");
        let _ = spec.local_path();
        match spec.backend {
            "sqlite" => {
                let _ = sqlite::parse_location(&spec.location);
            }
            "postgresql" => {
                let _ = postgres::settings(&spec.location);
            }
            _ => {}
        }
    }
    let _ = mongo_open_error(s);
}

fn keep(s: &str, ok: impl Fn(char) -> bool) -> String {
    s.chars().filter(|&c| ok(c)).collect()
}

/// `shown(pass)` (a text made from a URI holding `pass`) must not hold `pass`, unless the text
/// made with a neutral password holds it too (fixed text of the message, e.g. "postgres").
fn assert_hidden(what: &str, pass: &str, shown: impl Fn(&str) -> Option<String>) {
    let Some(text) = shown(pass) else { return };
    if text.contains(pass) && !shown("Qz7Qz7Qz7").is_some_and(|t| t.contains(pass)) {
        panic!("password {pass:?} shown in {what}: {text}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    any_text(&text);
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let rest = String::from_utf8_lossy(rest);
    let mut parts = rest.split('\n');
    let mut part = || parts.next().unwrap_or("").to_string();
    let scheme = SCHEMES[pick as usize % SCHEMES.len()];
    let user = keep(&part(), |c| c.is_ascii_alphanumeric() || "._%-".contains(c));
    // A password: no '@' (that ends the userinfo by definition), no whitespace (that ends the
    // URI in a message), at least 4 characters with a letter or digit (so "***" cannot hold it).
    let pass = keep(&part(), |c| c != '@' && !c.is_whitespace());
    let host = keep(&part(), |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || ".:,-".contains(c)
    });
    let host = if host.is_empty() {
        "h".to_string()
    } else {
        host
    };
    let suffix = part();
    let prefix = part();
    if pass.chars().count() < 4 || !pass.chars().any(char::is_alphanumeric) {
        return;
    }
    if [scheme, &user, &host, &suffix, &prefix]
        .iter()
        .any(|p| p.contains(&pass))
    {
        return;
    }
    let uri = |pass: &str| format!("{scheme}://{user}:{pass}@{host}{suffix}");
    assert_hidden("redact", &pass, |p| {
        Some(redact(&format!("{prefix}{}", uri(p))))
    });
    assert_hidden("redact (twice)", &pass, |p| {
        Some(redact(&format!("{prefix}{} to {}", uri(p), uri(p))))
    });
    if !pass.contains(['&', ';', '#']) {
        assert_hidden("redact (option)", &pass, |p| {
            Some(redact(&format!(
                "{scheme}://{host}/db?authSource=admin&password={p}&w=1"
            )))
        });
    }
    assert_hidden("spec Display/Debug or error", &pass, |p| {
        Some(match StoreSpec::parse(&uri(p)) {
            Ok(spec) => format!("{spec} {spec:?}"),
            Err(e) => e.message,
        })
    });
    if StoreSpec::parse(&uri(&pass)).is_ok_and(|s| s.backend == "postgresql") {
        assert_hidden("postgres describe or error", &pass, |p| {
            Some(match postgres::settings(&uri(p)) {
                Ok(s) => s.shown,
                Err(e) => e.message,
            })
        });
        if let Ok(s) = postgres::settings(&uri(&pass))
            && !pass.contains(['/', '?', '#'])
        {
            assert!(
                s.secrets.iter().any(|x| x.contains(&pass)),
                "password {pass:?} not among the secrets to scrub: {:?}",
                s.secrets
            );
        }
    }
    assert_hidden("MongoDB URI error", &pass, |p| mongo_open_error(&uri(p)));
});
