//! jvspatial 0.2.2's PostgreSQL DDL, verbatim: the per-collection table and base indexes
//! (`_create_collection_schema_on_connection`), the identifier rule (`_safe_collection`), index
//! naming within 63 bytes (`_postgres_index_name`), and the indexes `GraphContext.ensure_indexes`
//! creates for the built-in `Node` / `Edge` classes through `PostgresDB.create_index`.
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};

/// PostgreSQL's identifier limit.
const MAX_IDENT: usize = 63;

/// jvspatial's `_SAFE_IDENT_RE` (`^[A-Za-z_][A-Za-z0-9_]{0,62}$`). Python's `$` also matches
/// before one trailing newline (`"node\n"` passes jvspatial's check and names table `node`);
/// jvdb refuses that form.
pub fn is_safe_ident(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_IDENT
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// `_safe_collection`: a name jvspatial's PostgresDB accepts, else exit 2 with its reason.
pub fn check_collection(name: &str) -> Result<()> {
    crate::store::validate_component(name, "collection")?;
    if !is_safe_ident(name) {
        return Err(Error::invalid(format!(
            "invalid collection {name:?} for PostgreSQL: jvspatial's PostgresDB rejects it (names must match [A-Za-z_][A-Za-z0-9_]{{0,62}})"
        )));
    }
    Ok(())
}

/// The schema name rule (jvspatial applies `_safe_collection` to it too).
pub fn check_schema(name: &str) -> Result<()> {
    if !is_safe_ident(name) {
        return Err(Error::invalid(format!(
            "invalid schema {name:?}: jvspatial's PostgresDB rejects it (names must match [A-Za-z_][A-Za-z0-9_]{{0,62}})"
        )));
    }
    Ok(())
}

/// The name PostgreSQL gives an unquoted identifier (ASCII folded to lower case): what the
/// catalogs hold for a table or schema jvspatial created.
pub fn folded(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn sha256_hex(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// `_postgres_index_name(base, suffix)`.
pub fn index_name(base: &str, suffix: &str) -> String {
    let full = format!("{base}_{suffix}");
    if full.len() <= MAX_IDENT {
        return full;
    }
    let digest = &sha256_hex(&full)[..10];
    let prefix = MAX_IDENT - (digest.len() + suffix.len() + 2);
    // identifiers are ASCII (is_safe_ident), so a byte prefix is a char prefix
    let cut = prefix.min(base.len());
    format!("{}_{digest}_{suffix}", &base[..cut])
}

/// The statements of `_create_collection_schema_on_connection` after the advisory lock (one
/// simple-query batch, as jvspatial sends it).
pub fn bootstrap_sql(schema: &str, col: &str, gin: bool) -> String {
    let gin_name = index_name(col, "data_gin");
    let entity_name = index_name(col, "entity_idx");
    let tenant_name = index_name(col, "tenant_idx");
    let gin_sql = if gin {
        format!(
            "CREATE INDEX IF NOT EXISTS {gin_name} ON {schema}.{col} USING GIN (data jsonb_path_ops);"
        )
    } else {
        String::new()
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {schema}.{col} (
            id         TEXT PRIMARY KEY,
            entity     TEXT NOT NULL,
            tenant_id  TEXT,
            data       JSONB NOT NULL,
            _v         INTEGER NOT NULL DEFAULT 1,
            created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
        );
        {gin_sql}
        CREATE INDEX IF NOT EXISTS {entity_name}
            ON {schema}.{col} (entity);
        CREATE INDEX IF NOT EXISTS {tenant_name}
            ON {schema}.{col} (tenant_id)
            WHERE tenant_id IS NOT NULL;"
    )
}

/// One index `create_index` makes for a built-in class (all keys ascending, btree, no
/// per-class scope).
pub struct IndexSpec {
    /// The canonical name (`edge_source_target_entity_uniq`).
    pub name: String,
    pub unique: bool,
    /// `CREATE [UNIQUE ]INDEX IF NOT EXISTS <name> <body>`.
    pub body: String,
    /// The sort companion: name and key list.
    pub sort_name: String,
    pub sort_keys: String,
}

/// `_pg_field_extract` for the fields the built-in classes index.
fn extract(field: &str) -> String {
    match field {
        "entity" | "id" | "tenant_id" => field.to_string(),
        f => format!("(data #>> '{{{}}}')", f.replace('.', ",")),
    }
}

/// `translate_sort` of an ascending key (`_keyset_sort_fields` appends `id`).
fn sort_key(field: &str) -> String {
    match field {
        "entity" | "id" | "tenant_id" => format!("{field} ASC NULLS LAST"),
        f => format!(
            "NULLIF((data #> '{{{}}}'), 'null'::jsonb) ASC NULLS LAST",
            f.replace('.', ",")
        ),
    }
}

/// The index `create_index(collection, fields, unique)` builds for ascending `fields`.
fn index_spec(schema: &str, col: &str, fields: &[&str], unique: bool) -> IndexSpec {
    let field_names = fields.join("_");
    let name = index_name(
        &format!("{col}_{field_names}"),
        if unique { "uniq" } else { "idx" },
    );
    let keys: Vec<String> = fields
        .iter()
        .map(|f| format!("{} ASC", extract(f)))
        .collect();
    let body = format!("ON {schema}.{col} USING btree ({})", keys.join(", "));
    let mut sk: Vec<String> = fields.iter().map(|f| sort_key(f)).collect();
    if !fields.contains(&"id") {
        sk.push(sort_key("id"));
    }
    let sort_keys = sk.join(", ");
    let sig = &sha256_hex(&sort_keys)[..8];
    let sort_name = index_name(&name, &format!("sort_{sig}"));
    IndexSpec {
        name,
        unique,
        body,
        sort_name,
        sort_keys,
    }
}

/// The indexes `GraphContext.ensure_indexes` creates for jvspatial's built-in classes, by
/// collection: `Node.get_indexes()` on `node` (`entity`), `Edge.get_indexes()` on `edge`
/// (unique `source, target, entity`; `target, entity`; `entity, source`; `entity, target`).
/// Per-class annotated indexes need the Python classes and are not created.
pub fn jvspatial_indexes(schema: &str, col: &str) -> Vec<IndexSpec> {
    match col {
        "node" => vec![index_spec(schema, col, &["entity"], false)],
        "edge" => vec![
            index_spec(schema, col, &["source", "target", "entity"], true),
            index_spec(schema, col, &["target", "entity"], false),
            index_spec(schema, col, &["entity", "source"], false),
            index_spec(schema, col, &["entity", "target"], false),
        ],
        _ => Vec::new(),
    }
}

/// `_STALE_INDEX_DEF_RE`: an index definition from before jvspatial 0.0.18, rebuilt in place.
pub fn is_stale(indexdef: &str) -> bool {
    let paths = ["'{entity}'", "'{id}'", "'{tenant_id}'"];
    if paths.iter().any(|p| indexdef.contains(p)) {
        return true;
    }
    let mut rest = indexdef;
    while let Some(i) = rest.find("DESC") {
        let before_ok = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
        let after = &rest[i + 4..];
        let after_ok = !after
            .as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if before_ok && after_ok && !after.starts_with(" NULLS LAST") {
            return true;
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_jvspatial() {
        // observed from jvspatial 0.2.2 against PostgreSQL 15
        let n = jvspatial_indexes("ex", "node");
        assert_eq!(n[0].name, "node_entity_idx");
        assert_eq!(n[0].sort_name, "node_entity_idx_sort_84bae245");
        let e = jvspatial_indexes("ex", "edge");
        let names: Vec<(&str, &str)> = e
            .iter()
            .map(|i| (i.name.as_str(), i.sort_name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                (
                    "edge_source_target_entity_uniq",
                    "edge_source_target_entity_uniq_sort_d0c746d4"
                ),
                (
                    "edge_target_entity_idx",
                    "edge_target_entity_idx_sort_06c7a23b"
                ),
                (
                    "edge_entity_source_idx",
                    "edge_entity_source_idx_sort_6a6c4dec"
                ),
                (
                    "edge_entity_target_idx",
                    "edge_entity_target_idx_sort_f5183314"
                ),
            ]
        );
        assert_eq!(
            e[0].body,
            "ON ex.edge USING btree ((data #>> '{source}') ASC, (data #>> '{target}') ASC, entity ASC)"
        );
    }

    #[test]
    fn long_names_are_shortened_like_jvspatial() {
        let col = "c".repeat(60);
        let n = index_name(&col, "data_gin");
        // jvspatial: _postgres_index_name("c" * 60, "data_gin")
        assert_eq!(n, format!("{}_09b33fbcdf_data_gin", "c".repeat(43)));
        assert_eq!(index_name("node", "data_gin"), "node_data_gin");
    }

    #[test]
    fn identifiers() {
        assert!(is_safe_ident("node") && is_safe_ident("_x9") && is_safe_ident(&"a".repeat(63)));
        for bad in ["", "9a", "a-b", "a b", "ü", "node\n", &"a".repeat(64)] {
            assert!(!is_safe_ident(bad), "{bad:?}");
        }
        assert!(is_stale(
            "CREATE INDEX x ON s.t USING btree (((data #>> '{entity}'::text[])))"
        ));
        assert!(is_stale("CREATE INDEX x ON s.t USING btree (a DESC)"));
        assert!(!is_stale(
            "CREATE INDEX x ON s.t USING btree (a DESC NULLS LAST)"
        ));
        assert!(!is_stale("CREATE INDEX x ON s.t USING btree (entity)"));
    }
}
