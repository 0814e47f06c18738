//! DataLoaders for every relation, so a nested page costs a fixed number of queries however
//! many rows it has. They are made per request, for the request's viewer, so a loader never
//! returns a record the viewer may not see.

use crate::service::curated::Curated;
use crate::service::lists::{ReactionOrder, StakeholderOrder, WithdrawalOrder};
use crate::service::page::{ChildArgs, SortSpec};
use crate::service::Viewer;
use async_graphql::dataloader::{DataLoader, Loader};
use entity::enums::{RecordKind, RecordStatus};
use entity::*;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, EntityTrait, IdenStatic, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    Value,
};
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::marker::PhantomData;
use std::sync::Arc;

pub use crate::service::rows::Projection;

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
        self.load_projected(keys, &Projection::all()).await
    }
}

impl<E: Curated> ById<E> {
    /// Like `load`, reading only the projection's columns (see [`Projection`]): for the
    /// planner, which knows the fields asked. The models are then partial and never go into
    /// a DataLoader. The map's hasher is the caller's (the planner's is `rustc-hash`'s).
    pub async fn load_projected<S: BuildHasher + Default>(
        &self,
        keys: &[i64],
        projection: &Projection,
    ) -> Result<HashMap<i64, E::Model, S>, LoadError> {
        let backend = self.db.get_database_backend();
        let projection = projection.clone().with::<E>(E::id_column());
        let select = crate::service::rows::projecting(E::find(), &projection)
            .filter(among(backend, E::id_column(), keys))
            .filter(E::visible(&self.statuses));
        let statement = select.build(backend);
        let rows = crate::service::rows::all_projected(&self.db, statement, &projection).await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// PostgreSQL's text for an array of keys: `{1,2,3}`.
fn array_text(keys: &[i64]) -> String {
    let list: Vec<String> = keys.iter().map(i64::to_string).collect();
    format!("{{{}}}", list.join(","))
}

/// `column IN (keys)`. On PostgreSQL it is one array parameter, so the statement's text is
/// the same whatever the batch's size and PostgreSQL plans it cheaply: EXPLAIN on the bench
/// data put planning a 50-entry IN list at 0.65 ms, against 0.1 ms for the array.
fn among<C: ColumnTrait>(backend: DbBackend, column: C, keys: &[i64]) -> SimpleExpr {
    if backend == DbBackend::Postgres {
        let sql = format!("\"{}\" = ANY(CAST($1 AS bigint[]))", column.as_str());
        Expr::cust_with_values(sql, [array_text(keys)])
    } else {
        column.is_in(keys.iter().copied())
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
            .filter(among(self.db.get_database_backend(), self.column, keys))
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

/// A record's own list, one page per parent: the visible rows whose `column` is the parent's
/// id, in `sort` order (then id), after the page's cursor; keyed by (parent, args). A page of
/// parents costs one statement per distinct `args` (fields of one request usually share
/// them): on PostgreSQL a LATERAL join, one index range per parent where a `(key, order, id)`
/// index exists (a withdrawal's reactions; the other relations have their foreign key's
/// index and sort each parent's rows), on SQLite a window function. Each page reads `first + 1` rows, the last telling
/// whether another page follows.
pub struct PageByColumn<E: Curated> {
    db: DatabaseConnection,
    /// Which list this is, so a connection's `totalCount` finds this loader.
    relation: Relation,
    column: E::Column,
    sort: SortSpec<E>,
    statuses: Vec<RecordStatus>,
}

impl<E: Curated> PageByColumn<E> {
    /// The list's ordering: its cursors are the top-level list's in that ordering.
    pub fn sort(&self) -> &SortSpec<E> {
        &self.sort
    }

    pub fn relation(&self) -> Relation {
        self.relation
    }

    /// The column of the list's rows that holds the parent's id.
    pub fn column(&self) -> E::Column {
        self.column
    }

    fn statement(&self, keys: &[i64], args: &ChildArgs, projection: &Projection) -> Statement {
        let backend = self.db.get_database_backend();
        let table = E::default().table_name().to_owned();
        let (col, order, id, status) = (
            self.column.as_str(),
            self.sort.column.as_str(),
            E::id_column().as_str(),
            E::status_column().as_str(),
        );
        let mut values: Vec<Value> = Vec::with_capacity(keys.len() + 3);
        let mut param = |v: Value| {
            values.push(v);
            match backend {
                DbBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            }
        };
        // The parameters come in the order they appear in both statements (SQLite's are
        // positional): the keys, then the cursor.
        let postgres = backend == DbBackend::Postgres;
        // On PostgreSQL one array parameter (see `among`).
        let keys: Vec<String> = if postgres {
            vec![param(array_text(keys).into())]
        } else {
            keys.iter().map(|k| param((*k).into())).collect()
        };
        let statuses = crate::service::visibility::status_literals(&self.statuses);
        let (direction, beyond) = if self.sort.descending {
            ("DESC", "<")
        } else {
            ("ASC", ">")
        };
        let after = match &args.after {
            Some((value, after_id)) => {
                let v = param(value.clone().into_value());
                let i = param((*after_id).into());
                format!(" AND (\"{order}\", \"{id}\") {beyond} ({v}, {i})")
            }
            None => String::new(),
        };
        // A literal, as a page's own limit (`rows::limited`).
        let limit = args.first + 1;
        let keys = keys.join(", ");
        let sorted = format!("\"{order}\" {direction}, \"{id}\" {direction}");
        // The entity's columns only: a table may hold more (search vectors) that no model reads.
        let columns = crate::service::rows::column_list::<E>(projection);
        let sql = if postgres {
            format!(
                "SELECT t.* FROM unnest(CAST({keys} AS bigint[])) AS k(key) CROSS JOIN LATERAL (\
                 SELECT {columns} FROM \"{table}\" WHERE \"{col}\" = k.key \
                 AND \"{status}\" IN ({statuses}){after} ORDER BY {sorted} LIMIT {limit}) t \
                 ORDER BY t.\"{col}\", t.\"{order}\" {direction}, t.\"{id}\" {direction}"
            )
        } else {
            format!(
                "SELECT * FROM (SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY \"{col}\" \
                 ORDER BY {sorted}) AS exodus_rank FROM \"{table}\" \
                 WHERE \"{col}\" IN ({keys}) AND \"{status}\" IN ({statuses}){after}) ranked \
                 WHERE exodus_rank <= {limit} ORDER BY \"{col}\", {sorted}"
            )
        };
        Statement::from_sql_and_values(backend, sql, values)
    }
}

impl<E> Loader<(i64, ChildArgs)> for PageByColumn<E>
where
    E: Curated,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, ChildArgs)],
    ) -> Result<HashMap<(i64, ChildArgs), Self::Value>, Self::Error> {
        self.load_projected(keys, &Projection::all()).await
    }
}

impl<E> PageByColumn<E>
where
    E: Curated,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    /// Like `load`, reading only the projection's columns (see [`ById::load_projected`]).
    pub async fn load_projected<S: BuildHasher + Default>(
        &self,
        keys: &[(i64, ChildArgs)],
        projection: &Projection,
    ) -> Result<HashMap<(i64, ChildArgs), Vec<E::Model>, S>, LoadError> {
        // The parent's column groups the rows; the sort column makes their cursors.
        let projection = projection
            .clone()
            .with::<E>(E::id_column())
            .with::<E>(self.column)
            .with::<E>(self.sort.column);
        let mut by_args: HashMap<&ChildArgs, Vec<i64>> = HashMap::new();
        for (key, args) in keys {
            by_args.entry(args).or_default().push(*key);
        }
        let mut out: HashMap<(i64, ChildArgs), Vec<E::Model>, S> = HashMap::default();
        // `first: 0` still reads one row: whether a page follows.
        for (args, keys) in by_args {
            let statement = self.statement(&keys, args, &projection);
            let rows: Vec<E::Model> =
                crate::service::rows::all_projected(&self.db, statement, &projection).await?;
            for row in rows {
                if let Value::BigInt(Some(key)) = row.get(self.column) {
                    out.entry((key, args.clone())).or_default().push(row);
                }
            }
        }
        Ok(out)
    }
}

/// A record's own lists, named so that a connection's `totalCount` finds its loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    OrganizationWithdrawals,
    OrganizationStakeholders,
    InstrumentWithdrawals,
    InstrumentReactions,
    WithdrawalReactions,
    PactReactions,
    StakeholderReactions,
}

/// The key that asks a [`PageByColumn`] for the length of a parent's whole list
/// (`totalCount`): one grouped count for every parent asked, only when a client selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Total(pub i64);

impl<E> Loader<Total> for PageByColumn<E>
where
    E: Curated,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = u64;
    type Error = LoadError;

    async fn load(&self, keys: &[Total]) -> Result<HashMap<Total, u64>, Self::Error> {
        let counts: Vec<(i64, i64)> = E::find()
            .select_only()
            .column(self.column)
            .column_as(E::id_column().count(), "n")
            .filter(among(
                self.db.get_database_backend(),
                self.column,
                &keys.iter().map(|k| k.0).collect::<Vec<_>>(),
            ))
            .filter(E::visible(&self.statuses))
            .group_by(self.column)
            .into_tuple()
            .all(&self.db)
            .await?;
        // A parent with no visible rows has no group: its count is 0.
        let mut out: HashMap<Total, u64> = keys.iter().map(|k| (*k, 0)).collect();
        out.extend(
            counts
                .into_iter()
                .map(|(parent, n)| (Total(parent), n as u64)),
        );
        Ok(out)
    }
}

/// A source cited by a record, with the citation's note.
#[derive(Clone)]
pub struct Citation {
    /// The citation's own id: its position in the record's list.
    pub link: i64,
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
                        link: link.id,
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
    pub withdrawals_by_organization: DataLoader<PageByColumn<withdrawal::Entity>>,
    pub withdrawals_by_instrument: DataLoader<PageByColumn<withdrawal::Entity>>,
    pub reactions_by_withdrawal: DataLoader<PageByColumn<reaction::Entity>>,
    pub reactions_by_instrument: DataLoader<PageByColumn<reaction::Entity>>,
    pub reactions_by_pact: DataLoader<PageByColumn<reaction::Entity>>,
    pub reactions_by_stakeholder: DataLoader<PageByColumn<reaction::Entity>>,
    pub stakeholders_by_organization: DataLoader<PageByColumn<stakeholder::Entity>>,
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
    /// The length of one parent's list, counted with the other parents' of that relation.
    pub async fn total(&self, relation: Relation, parent: i64) -> Result<u64, LoadError> {
        let key = Total(parent);
        let found = match relation {
            Relation::OrganizationWithdrawals => {
                self.withdrawals_by_organization.load_one(key).await
            }
            Relation::OrganizationStakeholders => {
                self.stakeholders_by_organization.load_one(key).await
            }
            Relation::InstrumentWithdrawals => self.withdrawals_by_instrument.load_one(key).await,
            Relation::InstrumentReactions => self.reactions_by_instrument.load_one(key).await,
            Relation::WithdrawalReactions => self.reactions_by_withdrawal.load_one(key).await,
            Relation::PactReactions => self.reactions_by_pact.load_one(key).await,
            Relation::StakeholderReactions => self.reactions_by_stakeholder.load_one(key).await,
        };
        Ok(found?.unwrap_or(0))
    }

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
        fn page_by<E>(
            db: &DatabaseConnection,
            statuses: &[RecordStatus],
            relation: Relation,
            column: E::Column,
            sort: SortSpec<E>,
        ) -> DataLoader<PageByColumn<E>>
        where
            E: Curated,
            E::Model: Clone + Send + Sync,
            E::Column: Send + Sync,
        {
            DataLoader::new(
                PageByColumn {
                    db: db.clone(),
                    relation,
                    column,
                    sort,
                    statuses: statuses.to_vec(),
                },
                tokio::spawn,
            )
        }
        // Earliest first, as the top-level lists' default orderings.
        let by_date = || WithdrawalOrder::AnnouncedOnAsc.spec();
        let reacted = || ReactionOrder::ReactedOnAsc.spec();
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
            withdrawals_by_organization: page_by(
                db,
                &statuses,
                Relation::OrganizationWithdrawals,
                W::OrganizationId,
                by_date(),
            ),
            withdrawals_by_instrument: page_by(
                db,
                &statuses,
                Relation::InstrumentWithdrawals,
                W::InstrumentId,
                by_date(),
            ),
            reactions_by_withdrawal: page_by(
                db,
                &statuses,
                Relation::WithdrawalReactions,
                RC::WithdrawalId,
                reacted(),
            ),
            reactions_by_instrument: page_by(
                db,
                &statuses,
                Relation::InstrumentReactions,
                RC::InstrumentId,
                reacted(),
            ),
            reactions_by_pact: page_by(
                db,
                &statuses,
                Relation::PactReactions,
                RC::PactId,
                reacted(),
            ),
            reactions_by_stakeholder: page_by(
                db,
                &statuses,
                Relation::StakeholderReactions,
                RC::StakeholderId,
                reacted(),
            ),
            stakeholders_by_organization: page_by(
                db,
                &statuses,
                Relation::OrganizationStakeholders,
                stakeholder::Column::OrganizationId,
                StakeholderOrder::NameAsc.spec(),
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
