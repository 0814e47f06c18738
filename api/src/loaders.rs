//! DataLoaders for every relation, so a nested page costs a fixed number of queries however
//! many rows it has. They are made per request, for the request's viewer, so a loader never
//! returns a record the viewer may not see.

use crate::service::curated::Curated;
use crate::service::Viewer;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::enums::{RecordKind, RecordStatus};
use entity::*;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, ModelTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, Statement,
    Value,
};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// Loader errors are shared between the fields that waited on one batch.
type LoadError = Arc<sea_orm::DbErr>;

/// Curated records by id, visible to the viewer.
pub struct ById<E> {
    db: DatabaseConnection,
    statuses: Vec<RecordStatus>,
    entity: PhantomData<E>,
}

impl<E: Curated> Loader<i64> for ById<E>
where
    E::Model: Sync,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = E::find()
            .filter(E::id_column().is_in(keys.iter().copied()))
            .filter(E::visible(&self.statuses))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// Rows grouped by the value of one integer column (a foreign key), in a fixed order.
pub struct ByColumn<E: EntityTrait> {
    db: DatabaseConnection,
    column: E::Column,
    extra: Condition,
    order: E::Column,
}

impl<E> Loader<i64> for ByColumn<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let mut query = E::find()
            .filter(self.column.is_in(keys.iter().copied()))
            .filter(self.extra.clone())
            .order_by_asc(self.order);
        // Then by key, so rows that tie on the order column come out the same way every time.
        for key in E::PrimaryKey::iter() {
            query = query.order_by_asc(key.into_column());
        }
        let rows = query.all(&self.db).await?;
        let mut grouped: HashMap<i64, Vec<E::Model>> = HashMap::new();
        for row in rows {
            if let Value::BigInt(Some(key)) = row.get(self.column) {
                grouped.entry(key).or_default().push(row);
            }
        }
        Ok(grouped)
    }
}

/// The first `n` visible rows per value of one integer column (a foreign key), ordered by
/// (order, id); keyed by (value, n). A nested list with `first` then reads only the rows it
/// returns: on PostgreSQL one index range per key (a LATERAL join on the `(key, order, id)`
/// index), on SQLite a window function. The whole-list loader read every row and dropped most.
pub struct FirstByColumn<E: EntityTrait> {
    db: DatabaseConnection,
    column: E::Column,
    order: E::Column,
    id: E::Column,
    status: E::Column,
    statuses: Vec<RecordStatus>,
}

impl<E> FirstByColumn<E>
where
    E: EntityTrait,
{
    fn statement(&self, keys: &[i64], n: u32) -> Statement {
        let backend = self.db.get_database_backend();
        let table = E::default().table_name().to_owned();
        let (col, order, id, status) = (
            self.column.as_str(),
            self.order.as_str(),
            self.id.as_str(),
            self.status.as_str(),
        );
        let mut values: Vec<Value> = Vec::with_capacity(keys.len() + self.statuses.len() + 1);
        let mut param = |v: Value| {
            values.push(v);
            match backend {
                DbBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            }
        };
        // The parameters come in the order they appear in both statements (SQLite's are
        // positional): the keys, the statuses, the limit.
        let postgres = backend == DbBackend::Postgres;
        let keys: Vec<String> = keys
            .iter()
            .map(|k| {
                let p = param((*k).into());
                if postgres {
                    format!("({p}::bigint)")
                } else {
                    p
                }
            })
            .collect();
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|s| param(s.as_str().into()))
            .collect();
        let limit = param(i64::from(n).into());
        let (keys, statuses) = (keys.join(", "), statuses.join(", "));
        // The entity's columns only: a table may hold more (search vectors) that no model reads.
        let columns = E::Column::iter()
            .map(|c| format!("\"{}\"", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = if postgres {
            format!(
                "SELECT t.* FROM (VALUES {keys}) AS k(key) CROSS JOIN LATERAL (\
                 SELECT {columns} FROM \"{table}\" WHERE \"{col}\" = k.key AND \"{status}\" IN ({statuses}) \
                 ORDER BY \"{order}\", \"{id}\" LIMIT {limit}) t \
                 ORDER BY t.\"{col}\", t.\"{order}\", t.\"{id}\""
            )
        } else {
            format!(
                "SELECT * FROM (SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY \"{col}\" \
                 ORDER BY \"{order}\", \"{id}\") AS exodus_rank FROM \"{table}\" \
                 WHERE \"{col}\" IN ({keys}) AND \"{status}\" IN ({statuses})) ranked \
                 WHERE exodus_rank <= {limit} ORDER BY \"{col}\", \"{order}\", \"{id}\""
            )
        };
        Statement::from_sql_and_values(backend, sql, values)
    }
}

impl<E> Loader<(i64, u32)> for FirstByColumn<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, u32)],
    ) -> Result<HashMap<(i64, u32), Self::Value>, Self::Error> {
        // Fields of one request usually share one `first`; each distinct n is one statement.
        let mut by_n: HashMap<u32, Vec<i64>> = HashMap::new();
        for (key, n) in keys {
            by_n.entry(*n).or_default().push(*key);
        }
        let mut out: HashMap<(i64, u32), Vec<E::Model>> = HashMap::new();
        for (n, keys) in by_n {
            if n == 0 {
                continue;
            }
            let rows = E::Model::find_by_statement(self.statement(&keys, n))
                .all(&self.db)
                .await?;
            for row in rows {
                if let Value::BigInt(Some(key)) = row.get(self.column) {
                    out.entry((key, n)).or_default().push(row);
                }
            }
        }
        Ok(out)
    }
}

/// A source cited by a record, with the citation's note.
#[derive(Clone)]
pub struct Citation {
    pub note: Option<String>,
    pub source: source::Model,
}

/// The visible sources of records, by (kind, id).
pub struct SourcesOf {
    db: DatabaseConnection,
    statuses: Vec<RecordStatus>,
}

impl Loader<(RecordKind, i64)> for SourcesOf {
    type Value = Vec<Citation>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(RecordKind, i64)],
    ) -> Result<HashMap<(RecordKind, i64), Self::Value>, Self::Error> {
        let links = source_link::Entity::find()
            .filter(of_records(
                keys,
                source_link::Column::RecordKind,
                source_link::Column::RecordId,
            ))
            .order_by_asc(source_link::Column::Id)
            .all(&self.db)
            .await?;
        let sources: HashMap<i64, source::Model> = source::Entity::find()
            .filter(source::Column::Id.is_in(links.iter().map(|l| l.source_id)))
            .filter(source::Entity::visible(&self.statuses))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut out: HashMap<(RecordKind, i64), Vec<Citation>> = HashMap::new();
        for link in links {
            if let Some(source) = sources.get(&link.source_id) {
                out.entry((link.record_kind, link.record_id))
                    .or_default()
                    .push(Citation {
                        note: link.note,
                        source: source.clone(),
                    });
            }
        }
        Ok(out)
    }
}

/// The visible corrections concerning records, by (kind, id).
pub struct CorrectionsOf {
    db: DatabaseConnection,
    statuses: Vec<RecordStatus>,
}

impl Loader<(RecordKind, i64)> for CorrectionsOf {
    type Value = Vec<correction::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(RecordKind, i64)],
    ) -> Result<HashMap<(RecordKind, i64), Self::Value>, Self::Error> {
        let subjects = correction_subject::Entity::find()
            .filter(of_records(
                keys,
                correction_subject::Column::RecordKind,
                correction_subject::Column::RecordId,
            ))
            .order_by_asc(correction_subject::Column::CorrectionId)
            .all(&self.db)
            .await?;
        let corrections: HashMap<i64, correction::Model> = correction::Entity::find()
            .filter(correction::Column::Id.is_in(subjects.iter().map(|s| s.correction_id)))
            .filter(correction::Entity::visible(&self.statuses))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut out: HashMap<(RecordKind, i64), Vec<correction::Model>> = HashMap::new();
        for s in subjects {
            if let Some(c) = corrections.get(&s.correction_id) {
                out.entry((s.record_kind, s.record_id))
                    .or_default()
                    .push(c.clone());
            }
        }
        Ok(out)
    }
}

/// Which records are published now, by (kind, id): the public's view of the references in
/// snapshots (see `service::visibility`). A key is present when its record is published.
pub struct Published {
    db: DatabaseConnection,
}

impl Loader<(RecordKind, i64)> for Published {
    type Value = ();
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(RecordKind, i64)],
    ) -> Result<HashMap<(RecordKind, i64), ()>, Self::Error> {
        let shown =
            crate::service::visibility::published_among(&self.db, keys.iter().copied()).await?;
        Ok(shown.into_iter().map(|k| (k, ())).collect())
    }
}

/// `(kind = k AND id IN (...))` for each kind among the keys.
fn of_records<Col: ColumnTrait>(keys: &[(RecordKind, i64)], kind: Col, id: Col) -> Condition {
    let mut by_kind: HashMap<RecordKind, Vec<i64>> = HashMap::new();
    for (k, i) in keys {
        by_kind.entry(*k).or_default().push(*i);
    }
    by_kind.into_iter().fold(Condition::any(), |any, (k, ids)| {
        any.add(Condition::all().add(kind.eq(k)).add(id.is_in(ids)))
    })
}

/// Every loader of one request.
pub struct Loaders {
    pub organization: DataLoader<ById<organization::Entity>>,
    pub instrument: DataLoader<ById<instrument::Entity>>,
    pub withdrawal: DataLoader<ById<withdrawal::Entity>>,
    pub stakeholder: DataLoader<ById<stakeholder::Entity>>,
    pub reaction: DataLoader<ById<reaction::Entity>>,
    pub pact: DataLoader<ById<pact::Entity>>,
    pub source: DataLoader<ById<source::Entity>>,
    pub correction: DataLoader<ById<correction::Entity>>,
    pub withdrawals_by_organization: DataLoader<ByColumn<withdrawal::Entity>>,
    pub withdrawals_by_instrument: DataLoader<ByColumn<withdrawal::Entity>>,
    pub reactions_by_withdrawal: DataLoader<ByColumn<reaction::Entity>>,
    pub first_reactions_by_withdrawal: DataLoader<FirstByColumn<reaction::Entity>>,
    pub reactions_by_instrument: DataLoader<ByColumn<reaction::Entity>>,
    pub reactions_by_pact: DataLoader<ByColumn<reaction::Entity>>,
    pub reactions_by_stakeholder: DataLoader<ByColumn<reaction::Entity>>,
    pub stakeholders_by_organization: DataLoader<ByColumn<stakeholder::Entity>>,
    pub categories: DataLoader<ByColumn<organization_category::Entity>>,
    pub parties: DataLoader<ByColumn<pact_party::Entity>>,
    pub topics: DataLoader<ByColumn<pact_topic::Entity>>,
    pub status_history: DataLoader<ByColumn<pact_status_change::Entity>>,
    pub replacements: DataLoader<ByColumn<pact_replacement::Entity>>,
    pub replaced_by_organization: DataLoader<ByColumn<pact_replacement::Entity>>,
    pub replaced_by_withdrawal: DataLoader<ByColumn<pact_replacement::Entity>>,
    pub correction_subjects: DataLoader<ByColumn<correction_subject::Entity>>,
    pub sources_of: DataLoader<SourcesOf>,
    pub corrections_of: DataLoader<CorrectionsOf>,
    pub published: DataLoader<Published>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection, viewer: &Viewer) -> Self {
        let statuses = viewer.visible_statuses();
        fn by_id<E: Curated>(
            db: &DatabaseConnection,
            statuses: &[RecordStatus],
        ) -> DataLoader<ById<E>>
        where
            E::Model: Sync,
        {
            DataLoader::new(
                ById {
                    db: db.clone(),
                    statuses: statuses.to_vec(),
                    entity: PhantomData,
                },
                tokio::spawn,
            )
        }
        fn by_column<E>(
            db: &DatabaseConnection,
            column: E::Column,
            extra: Condition,
            order: E::Column,
        ) -> DataLoader<ByColumn<E>>
        where
            E: EntityTrait,
            E::Model: Clone + Send + Sync,
            E::Column: Send + Sync,
        {
            DataLoader::new(
                ByColumn {
                    db: db.clone(),
                    column,
                    extra,
                    order,
                },
                tokio::spawn,
            )
        }
        let visible_withdrawals = withdrawal::Entity::visible(&statuses);
        let claims_visible =
            Condition::all()
                .add(R::PactId.in_subquery(pact::Entity::visible_ids(&statuses)))
                .add(Condition::any().add(R::OrganizationId.is_null()).add(
                    R::OrganizationId.in_subquery(organization::Entity::visible_ids(&statuses)),
                ))
                .add(
                    Condition::any().add(R::WithdrawalId.is_null()).add(
                        R::WithdrawalId.in_subquery(withdrawal::Entity::visible_ids(&statuses)),
                    ),
                );
        let visible_reactions = reaction::Entity::visible(&statuses);
        use pact_replacement::Column as R;
        use reaction::Column as RC;
        use withdrawal::Column as W;
        Self {
            organization: by_id(db, &statuses),
            instrument: by_id(db, &statuses),
            withdrawal: by_id(db, &statuses),
            stakeholder: by_id(db, &statuses),
            reaction: by_id(db, &statuses),
            pact: by_id(db, &statuses),
            source: by_id(db, &statuses),
            correction: by_id(db, &statuses),
            withdrawals_by_organization: by_column(
                db,
                W::OrganizationId,
                visible_withdrawals.clone(),
                W::AnnouncedOn,
            ),
            withdrawals_by_instrument: by_column(
                db,
                W::InstrumentId,
                visible_withdrawals,
                W::AnnouncedOn,
            ),
            reactions_by_withdrawal: by_column(
                db,
                RC::WithdrawalId,
                visible_reactions.clone(),
                RC::ReactedOn,
            ),
            first_reactions_by_withdrawal: DataLoader::new(
                FirstByColumn {
                    db: db.clone(),
                    column: RC::WithdrawalId,
                    order: RC::ReactedOn,
                    id: RC::Id,
                    status: RC::Status,
                    statuses: statuses.clone(),
                },
                tokio::spawn,
            ),
            reactions_by_instrument: by_column(
                db,
                RC::InstrumentId,
                visible_reactions.clone(),
                RC::ReactedOn,
            ),
            reactions_by_pact: by_column(db, RC::PactId, visible_reactions.clone(), RC::ReactedOn),
            reactions_by_stakeholder: by_column(
                db,
                RC::StakeholderId,
                visible_reactions,
                RC::ReactedOn,
            ),
            stakeholders_by_organization: by_column(
                db,
                stakeholder::Column::OrganizationId,
                stakeholder::Entity::visible(&statuses),
                stakeholder::Column::Name,
            ),
            categories: by_column(
                db,
                organization_category::Column::OrganizationId,
                Condition::all(),
                organization_category::Column::Category,
            ),
            parties: by_column(
                db,
                pact_party::Column::PactId,
                Condition::all(),
                pact_party::Column::Id,
            ),
            topics: by_column(
                db,
                pact_topic::Column::PactId,
                Condition::all(),
                pact_topic::Column::Topic,
            ),
            status_history: by_column(
                db,
                pact_status_change::Column::PactId,
                Condition::all(),
                pact_status_change::Column::ChangedOn,
            ),
            // A replacement claim is there only while both its ends are visible: a draft
            // pact's claims stay off published organizations and withdrawals, and a pact's
            // claim about a hidden record is absent rather than a dangling reference.
            replacements: by_column(db, R::PactId, claims_visible.clone(), R::Id),
            replaced_by_organization: by_column(
                db,
                R::OrganizationId,
                claims_visible.clone(),
                R::Id,
            ),
            replaced_by_withdrawal: by_column(db, R::WithdrawalId, claims_visible, R::Id),
            correction_subjects: by_column(
                db,
                correction_subject::Column::CorrectionId,
                Condition::all(),
                correction_subject::Column::Id,
            ),
            sources_of: DataLoader::new(
                SourcesOf {
                    db: db.clone(),
                    statuses: statuses.clone(),
                },
                tokio::spawn,
            ),
            corrections_of: DataLoader::new(
                CorrectionsOf {
                    db: db.clone(),
                    statuses,
                },
                tokio::spawn,
            ),
            published: DataLoader::new(Published { db: db.clone() }, tokio::spawn),
        }
    }
}
