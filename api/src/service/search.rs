//! Search across kinds: PostgreSQL full-text search, and a substring equivalent on SQLite.
//!
//! Both search the same text per kind (`migration::SEARCH_DOCUMENTS`). On PostgreSQL each
//! table stores that text's vector in `search_vector`, with a GIN index: matches are found in
//! the index and ranked from the stored vectors, never by parsing the text again.

use super::curated::for_kind;
use super::visibility::status_literals;
use super::Viewer;
use crate::error::{AppError, AppResult};
use entity::enums::RecordKind;
use sea_orm::Iterable;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// One match: which record, and how well it matched (higher is better).
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: RecordKind,
    pub id: i64,
    pub rank: f64,
}

/// The table of a kind, from its entity.
fn table_of(kind: RecordKind) -> &'static str {
    use sea_orm::EntityName;
    for_kind!(kind, K => K::default().table_name())
}

fn document(table: &str) -> &'static str {
    migration::SEARCH_DOCUMENTS
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, d)| *d)
        .expect("every searchable table has a document")
}

/// Finds up to `limit` visible records of the given kinds (all kinds when empty).
pub async fn search<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    query: &str,
    kinds: &[RecordKind],
    limit: u64,
) -> AppResult<Vec<Hit>> {
    let query = query.trim();
    if query.is_empty() {
        return Err(AppError::bad_input("`query` must not be empty"));
    }
    if query.chars().count() > 200 {
        return Err(AppError::bad_input(
            "`query` must be at most 200 characters",
        ));
    }
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        if let Some(lexeme) = single_lexeme(db, query).await? {
            return best_for_lexeme(db, viewer, &lexeme, kinds, limit).await;
        }
    }
    let status_list = status_literals(&viewer.visible_statuses());
    let words: Vec<String> = query
        .split_whitespace()
        .take(8)
        .map(|w| w.to_lowercase())
        .collect();

    let mut values: Vec<Value> = Vec::new();
    let param = |v: Value, values: &mut Vec<Value>| -> String {
        values.push(v);
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let mut parts = Vec::new();
    for kind in RecordKind::iter() {
        let table = table_of(kind);
        if !kinds.is_empty() && !kinds.contains(&kind) {
            continue;
        }
        // Parameters are numbered on PostgreSQL but positional on SQLite, so they are
        // created in the order they appear in the SQL text.
        let sql = if backend == DbBackend::Postgres {
            let q = param(query.into(), &mut values);
            format!(
                "SELECT '{kind}' AS kind, id, ts_rank(search_vector, \
                 websearch_to_tsquery('english', {q}))::float8 AS rank FROM {table} \
                 WHERE status IN ({status_list}) \
                 AND search_vector @@ websearch_to_tsquery('english', {q})",
                kind = kind.as_str()
            )
        } else {
            // Every word must occur; a match nearer the start of the text ranks higher.
            let doc = document(table);
            let first = param(words[0].clone().into(), &mut values);
            let mut conditions = Vec::new();
            for w in &words {
                let p = param(w.clone().into(), &mut values);
                conditions.push(format!("instr(lower({doc}), {p}) > 0"));
            }
            format!(
                "SELECT '{kind}' AS kind, id, 1.0 / (1 + instr(lower({doc}), {first})) AS rank \
                 FROM {table} WHERE status IN ({status_list}) AND {}",
                conditions.join(" AND "),
                kind = kind.as_str()
            )
        };
        parts.push(sql);
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let limit_param = param(Value::from(limit as i64), &mut values);
    let sql = format!(
        "SELECT kind, id, rank FROM ({}) hits ORDER BY rank DESC, kind, id LIMIT {limit_param}",
        parts.join(" UNION ALL ")
    );
    hits(db, Statement::from_sql_and_values(backend, sql, values)).await
}

/// The one lexeme of a query that parses to a single word (after stemming and stop words),
/// or None for anything else: several words, a phrase, an exclusion, only stop words.
async fn single_lexeme<C: ConnectionTrait>(db: &C, query: &str) -> AppResult<Option<String>> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT CASE WHEN numnode(q) = 1 THEN (tsvector_to_array(q::text::tsvector))[1] END \
             AS lexeme FROM websearch_to_tsquery('english', $1) q",
            [Value::from(query)],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "lexeme")?,
        None => None,
    })
}

/// The best visible matches of one lexeme, in the order of the general query (rank, then
/// kind and id), read from the rank-ordered index of `search_term` (migration
/// `m20261204_000002_search_terms`): about `limit` index entries however many records match.
async fn best_for_lexeme<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    lexeme: &str,
    kinds: &[RecordKind],
    limit: u64,
) -> AppResult<Vec<Hit>> {
    let mut values: Vec<Value> = vec![lexeme.into()];
    let marks = |list: Vec<&'static str>, values: &mut Vec<Value>| -> String {
        list.into_iter()
            .map(|v| {
                values.push(v.into());
                format!("${}", values.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let statuses = status_literals(&viewer.visible_statuses());
    let kinds = if kinds.is_empty() {
        RecordKind::iter().collect()
    } else {
        kinds.to_vec()
    };
    let kinds = marks(kinds.iter().map(|k| k.as_str()).collect(), &mut values);
    // The order names the table's column: a bare `rank` would be the float8 output column,
    // which no index holds, and PostgreSQL would sort every match. The limit is a literal, as
    // a page's (`rows::limited`), so a generic plan can see it.
    let sql = format!(
        "SELECT kind, record_id AS id, rank::float8 AS rank FROM search_term \
         WHERE lexeme = $1 AND status IN ({statuses}) AND kind IN ({kinds}) \
         ORDER BY lexeme, search_term.rank DESC, kind, record_id LIMIT {limit}"
    );
    hits(
        db,
        Statement::from_sql_and_values(DbBackend::Postgres, sql, values),
    )
    .await
}

async fn hits<C: ConnectionTrait>(db: &C, statement: Statement) -> AppResult<Vec<Hit>> {
    let rows = db.query_all_raw(statement).await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let kind = RecordKind::iter()
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown kind {kind} in search")))?;
        hits.push(Hit {
            kind,
            id: row.try_get("", "id")?,
            rank: row.try_get("", "rank")?,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    /// PostgreSQL searches the vectors a migration stored, SQLite the live expressions: a
    /// text changed in one place only would make the backends disagree.
    #[test]
    fn stored_vectors_are_of_the_searched_texts() {
        let mut searched = migration::SEARCH_DOCUMENTS.to_vec();
        let mut stored = migration::STORED_SEARCH_DOCUMENTS.to_vec();
        searched.sort();
        stored.sort();
        assert_eq!(
            searched, stored,
            "a changed search text needs a migration that regenerates search_vector"
        );
    }
}
