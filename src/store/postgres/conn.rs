//! The spec (`postgresql://user:pw@host:port/db?schema=NAME&gin_index=off&…`), its jvdb-only
//! parameters and their `JVSPATIAL_*` defaults, TLS, the connection pool, and the mapping of
//! driver errors to jvdb errors with the password scrubbed.
use crate::error::{Error, ErrorKind, Result};
use crate::store::redact;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Default time to wait for the server when `--connect-timeout` is not given.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The spec parameters that are jvdb's (and jvspatial's `PostgresDB` arguments), not libpq's.
const OWN_PARAMS: &[&str] = &[
    "schema",
    "gin_index",
    "min_pool_size",
    "max_pool_size",
    "command_timeout",
];

/// What the spec and the environment chose.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The DSN without jvdb's parameters (what goes to the driver; holds the password).
    pub dsn: String,
    /// jvspatial's `schema_name` as written (the SQL text uses it unquoted, as jvspatial does,
    /// so PostgreSQL folds it to lower case).
    pub schema: String,
    /// `full` or `off`.
    pub gin_full: bool,
    pub min_pool: usize,
    pub max_pool: usize,
    /// jvspatial's `command_timeout` (seconds), applied as the server's `statement_timeout`.
    pub command_timeout: f64,
    /// The password forms to scrub from any message.
    pub secrets: Vec<String>,
    /// The spec as shown (password redacted).
    pub shown: String,
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn parse_num<T: FromStr>(what: &str, v: &str) -> Result<T> {
    v.trim()
        .parse::<T>()
        .map_err(|_| Error::invalid(format!("{what}={v:?}: expected a number")))
}

/// Percent-decoding of a query-string value.
fn pct(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%'
            && k + 2 < b.len()
            && let (Some(h), Some(l)) = (
                (b[k + 1] as char).to_digit(16),
                (b[k + 2] as char).to_digit(16),
            )
        {
            out.push((h * 16 + l) as u8);
            k += 3;
            continue;
        }
        out.push(if b[k] == b'+' { b' ' } else { b[k] });
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Split the spec into the driver's DSN and jvdb's settings (defaults from jvspatial's
/// variables, read the way `PostgresDB.__init__` reads them).
pub fn settings(spec: &str) -> Result<Settings> {
    let secrets = super::super::mongo::uri_secrets(spec);
    let shown = redact(spec);
    let (head, query) = match spec.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (spec, None),
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut own: Vec<(String, String)> = Vec::new();
    for part in query.into_iter().flat_map(|q| q.split('&')) {
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        if OWN_PARAMS.contains(&k) {
            own.push((k.to_string(), pct(v)));
        } else {
            kept.push(part);
        }
    }
    let dsn = if kept.is_empty() {
        head.to_string()
    } else {
        format!("{head}?{}", kept.join("&"))
    };
    let get = |k: &str| {
        own.iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    let schema = get("schema").unwrap_or_else(|| "public".to_string());
    let gin = match get("gin_index") {
        Some(v) => (v, "gin_index"),
        None => (
            env_var("JVSPATIAL_PG_GIN_INDEX").unwrap_or_else(|| "full".into()),
            "JVSPATIAL_PG_GIN_INDEX",
        ),
    };
    let gin_full = match gin.0.trim().to_ascii_lowercase().as_str() {
        "full" => true,
        "off" => false,
        other => {
            return Err(Error::invalid(format!(
                "{}={other:?}: gin_index must be 'full' or 'off' (as jvspatial's PostgresDB requires)",
                gin.1
            )));
        }
    };
    // jvspatial: `min_size or (env_min or default_min)`; a 0 from the environment falls back
    // to the default (Python's `or`).
    let pool = |k: &str, var: &str, default: usize| -> Result<usize> {
        if let Some(v) = get(k) {
            return parse_num::<usize>(k, &v);
        }
        match env_var(var) {
            Some(v) => Ok(match parse_num::<usize>(var, &v)? {
                0 => default,
                n => n,
            }),
            None => Ok(default),
        }
    };
    let min_pool = pool("min_pool_size", "JVSPATIAL_POSTGRES_MIN_POOL_SIZE", 2)?;
    let max_pool = pool("max_pool_size", "JVSPATIAL_POSTGRES_MAX_POOL_SIZE", 10)?;
    let command_timeout = match get("command_timeout") {
        Some(v) => parse_num::<f64>("command_timeout", &v)?,
        None => match env_var("JVSPATIAL_POSTGRES_COMMAND_TIMEOUT") {
            Some(v) => match parse_num::<f64>("JVSPATIAL_POSTGRES_COMMAND_TIMEOUT", &v)? {
                0.0 => 60.0,
                x => x,
            },
            None => 60.0,
        },
    };
    if !(command_timeout.is_finite() && command_timeout >= 0.0) {
        return Err(Error::invalid(format!(
            "command_timeout={command_timeout}: expected seconds >= 0"
        )));
    }
    Ok(Settings {
        dsn,
        schema,
        gin_full,
        min_pool,
        max_pool: max_pool.max(1),
        command_timeout,
        secrets,
        shown,
    })
}

/// What every message about this store needs: the redacted spec and the secrets to scrub.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub describe: String,
    pub secrets: Vec<String>,
}

impl Ctx {
    /// Remove the password from a message (redacted URI forms and the literal secret), one line.
    pub fn scrub(&self, msg: &str) -> String {
        let mut out = redact(msg);
        for s in &self.secrets {
            if !s.is_empty() {
                out = out.replace(s.as_str(), "***");
            }
        }
        out.replace(['\n', '\r'], " ")
    }

    /// A driver error about `what`, classified (see [`classify`]).
    pub fn err(&self, what: &str, e: &tokio_postgres::Error) -> Error {
        let (kind, text) = classify(e);
        Error::new(
            kind,
            self.scrub(&format!("{}: {what}: {text}", self.describe)),
        )
        .with_transient(is_transient(e))
    }
}

/// Whether a driver error may pass on a retry: the connection broke or closed, or the server
/// says so (connection exceptions `08…`, shutting down or starting `57P01`–`57P03`, too many
/// connections `53300`, a serialization failure or deadlock `40001`/`40P01`). Authentication,
/// a missing database and rejected statements are not.
pub fn is_transient(e: &tokio_postgres::Error) -> bool {
    match e.as_db_error() {
        Some(db) => {
            let c = db.code().code();
            c.starts_with("08")
                || matches!(c, "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01")
        }
        None => true,
    }
}

/// The SQLSTATE of a server error.
pub fn code(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().map(|d| d.code().code())
}

/// A driver error as a kind and one line: a server that cannot be used (connection,
/// authentication, missing database, resources, timeouts, permissions) is `Unavailable`; a
/// statement the server rejected for its data is `Invalid`.
pub fn classify(e: &tokio_postgres::Error) -> (ErrorKind, String) {
    if let Some(db) = e.as_db_error() {
        let c = db.code().code();
        let kind = match &c[..2] {
            "08" | "28" | "3D" | "3F" | "53" | "57" | "58" | "42" | "XX" | "55" | "40" => {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::Invalid,
        };
        let mut text = format!("{} ({c})", db.message());
        if let Some(d) = db.detail() {
            text.push_str(&format!(": {d}"));
        }
        return (kind, text);
    }
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(&format!(": {t}"));
        }
        src = s.source();
    }
    if let Some(i) = text.find(" (os error") {
        let end = text[i..].find(')').map(|j| i + j + 1).unwrap_or(text.len());
        text.replace_range(i..end, "");
    }
    (ErrorKind::Unavailable, text)
}

/// The TLS connector: rustls with the Mozilla roots (webpki-roots). `sslmode=disable` never
/// uses it; `prefer` (the default) uses it when the server offers TLS; `require` insists.
/// Unlike libpq's `require`, the server certificate is verified against those roots.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::unavailable(format!("TLS setup: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A pool for `s`, not yet connected.
pub fn pool(s: &Settings, ctx: &Ctx, connect_timeout: Duration) -> Result<deadpool_postgres::Pool> {
    let mut cfg = tokio_postgres::Config::from_str(&s.dsn).map_err(|e| {
        Error::invalid(ctx.scrub(&format!(
            "invalid PostgreSQL DSN {}: {}",
            s.shown,
            classify(&e).1
        )))
    })?;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(connect_timeout);
    }
    if cfg.get_application_name().is_none() {
        cfg.application_name("jvdb");
    }
    let ms = (s.command_timeout * 1000.0).round() as u64;
    // jit=off (the splitter's SESSION_SETUP, as a startup option): its large pushed-down
    // expressions otherwise trigger the JIT compiler, measured at 2 s per query instead of 7 ms.
    let opt = format!("-c statement_timeout={ms} -c jit=off");
    let options = match cfg.get_options() {
        Some(o) if !o.is_empty() => format!("{o} {opt}"),
        _ => opt,
    };
    cfg.options(options);
    let mgr = deadpool_postgres::Manager::from_config(
        cfg,
        tls()?,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    deadpool_postgres::Pool::builder(mgr)
        .max_size(s.max_pool)
        .build()
        .map_err(|e| Error::unavailable(ctx.scrub(&format!("{}: pool: {e}", ctx.describe))))
}

/// A pool error as a jvdb error.
pub fn pool_err(ctx: &Ctx, e: deadpool_postgres::PoolError) -> Error {
    match e {
        deadpool_postgres::PoolError::Backend(e) => {
            let (kind, text) = classify(&e);
            let kind = if kind == ErrorKind::Invalid {
                ErrorKind::Unavailable
            } else {
                kind
            };
            Error::new(
                kind,
                ctx.scrub(&format!(
                    "cannot connect to PostgreSQL at {}: {text}",
                    ctx.describe
                )),
            )
            .with_transient(is_transient(&e))
        }
        // a pool timeout or a closed pool: the server did not answer in time
        other => Error::transient(ctx.scrub(&format!(
            "cannot connect to PostgreSQL at {}: {other}",
            ctx.describe
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_parameters_are_stripped() {
        let s = settings(
            "postgresql://u:pw@h:5/db?sslmode=require&schema=Abc&gin_index=OFF&max_pool_size=3",
        )
        .unwrap();
        assert_eq!(s.dsn, "postgresql://u:pw@h:5/db?sslmode=require");
        assert_eq!(s.schema, "Abc");
        assert!(!s.gin_full);
        assert_eq!(s.max_pool, 3);
        assert!(!s.shown.contains(":pw@"));
        assert!(s.secrets.contains(&"pw".to_string()));
        let e = settings("postgresql://h/db?gin_index=half").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
    }
}
