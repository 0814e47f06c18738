//! The kind registry: what every curated kind shares, behind one trait, and the one place
//! that turns a runtime [`RecordKind`] into its entity type ([`for_kind!`]).
//!
//! Adding a kind means: its entity and migration, a `RecordKind` value and a `for_kind!` arm,
//! one `curated!` line below (its lists type from `children`, then its references:
//! `Kind: column` for a required one, `?Kind: column` for an optional one), its GraphQL
//! type (with a `graph_kind!` line) and its input.

use super::children::{CorrectionLists, NoLists, OrganizationLists, PactLists, RecordLists};
use chrono::{DateTime, Utc};
use entity::enums::{RecordKind, RecordStatus};
use entity::*;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel};

/// A record's confidence, the reason for it, and an editor's ceiling with its reason.
pub type ConfidenceFields = (
    entity::enums::Confidence,
    String,
    Option<entity::enums::Confidence>,
    Option<String>,
);

/// A curated entity: it has an id, a slug, an editorial status, a version, its own lists
/// and sources, and a revision log of snapshots.
pub trait Curated:
    EntityTrait<
    Model: Clone
               + Send
               + Sync
               + serde::Serialize
               + serde::de::DeserializeOwned
               + IntoActiveModel<Self::ActiveModel>
               + super::rows::Decode,
    ActiveModel: ActiveModelTrait<Entity = Self> + sea_orm::ActiveModelBehavior + Send,
>
{
    const KIND: RecordKind;
    /// The GraphQL type name, also the prefix of global ids.
    const TYPE_NAME: &'static str;
    /// The record's own lists (categories, parties, …), kept in its snapshots.
    type Lists: RecordLists;
    fn id_column() -> Self::Column;
    fn slug_column() -> Self::Column;
    fn status_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i64;
    fn slug_of(model: &Self::Model) -> &str;
    fn version_column() -> Self::Column;
    fn version_of(model: &Self::Model) -> i32;
    fn status_of(model: &Self::Model) -> RecordStatus;
    /// The editor who created it; None for the shipped dataset's records.
    fn created_by(model: &Self::Model) -> Option<i64>;
    /// The record's confidence, its reason, and an editor's ceiling with its reason.
    fn confidence_of(model: &Self::Model) -> ConfidenceFields;
    fn confidence_column() -> Self::Column;
    /// The other records this row refers to (its own lists' references are the lists').
    fn references(model: &Self::Model) -> Vec<(RecordKind, i64)>;
    /// The references the record cannot do without (a withdrawal's organization): they must
    /// be published for the record to be published. The others may point at drafts, and stay
    /// hidden from the public until their target is published.
    fn required_references(model: &Self::Model) -> Vec<(RecordKind, i64)>;
    /// The row's reference fields (as its snapshots name them), each with the kind it names.
    fn reference_fields() -> &'static [(RecordKind, &'static str)];
    /// Marks a new record: a version-1 draft by this editor (None: the shipped dataset).
    fn stamp_new(am: &mut Self::ActiveModel, editor: Option<i64>, now: DateTime<Utc>);
    /// Marks a change by this editor (None: the shipped dataset).
    fn stamp_update(am: &mut Self::ActiveModel, editor: Option<i64>, now: DateTime<Utc>);

    /// Only records with one of these statuses, written as literals in the statement (see
    /// [`super::visibility::status_literals`] for why).
    fn visible(statuses: &[RecordStatus]) -> Condition {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let literals = statuses.iter().map(|s| Expr::Constant(s.as_str().into()));
        Condition::all().add(Expr::col(Self::status_column().as_column_ref()).is_in(literals))
    }

    /// The ids of the records with one of these statuses, as a subquery: what a filter or a
    /// loader may follow a reference into.
    fn visible_ids(statuses: &[RecordStatus]) -> sea_orm::sea_query::SelectStatement {
        sea_orm::sea_query::Query::select()
            .column(Self::id_column())
            .from(Self::default())
            .cond_where(Self::visible(statuses))
            .to_owned()
    }
}

/// [`Curated::visible_ids`] of any kind.
pub fn visible_ids(
    kind: RecordKind,
    statuses: &[RecordStatus],
) -> sea_orm::sea_query::SelectStatement {
    for_kind!(kind, K => K::visible_ids(statuses))
}

/// Evaluates `$body` with the type alias `$K` naming the entity of the kind `$kind`: the one
/// per-kind dispatch of the code base. Generic code over [`Curated`] goes in `$body`:
///
/// ```ignore
/// for_kind!(kind, K => records::exists::<K, _>(db, id).await)
/// ```
macro_rules! for_kind {
    ($kind:expr, $K:ident => $body:expr) => {
        match $kind {
            entity::enums::RecordKind::Organization => {
                type $K = entity::organization::Entity;
                $body
            }
            entity::enums::RecordKind::Instrument => {
                type $K = entity::instrument::Entity;
                $body
            }
            entity::enums::RecordKind::Withdrawal => {
                type $K = entity::withdrawal::Entity;
                $body
            }
            entity::enums::RecordKind::Stakeholder => {
                type $K = entity::stakeholder::Entity;
                $body
            }
            entity::enums::RecordKind::Reaction => {
                type $K = entity::reaction::Entity;
                $body
            }
            entity::enums::RecordKind::Pact => {
                type $K = entity::pact::Entity;
                $body
            }
            entity::enums::RecordKind::Source => {
                type $K = entity::source::Entity;
                $body
            }
            entity::enums::RecordKind::Correction => {
                type $K = entity::correction::Entity;
                $body
            }
        }
    };
}
pub(crate) use for_kind;

macro_rules! curated {
    ($module:ident, $kind:ident, $name:literal, $lists:ty
     $(, $ref_kind:ident: $field:ident)* $(, ? $opt_kind:ident: $opt_field:ident)*) => {
        impl Curated for $module::Entity {
            const KIND: RecordKind = RecordKind::$kind;
            const TYPE_NAME: &'static str = $name;
            type Lists = $lists;
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
            fn slug_column() -> Self::Column {
                $module::Column::Slug
            }
            fn status_column() -> Self::Column {
                $module::Column::Status
            }
            fn id_of(model: &Self::Model) -> i64 {
                model.id
            }
            fn slug_of(model: &Self::Model) -> &str {
                &model.slug
            }
            fn version_column() -> Self::Column {
                $module::Column::Version
            }
            fn version_of(model: &Self::Model) -> i32 {
                model.version
            }
            fn status_of(model: &Self::Model) -> RecordStatus {
                model.status
            }
            fn created_by(model: &Self::Model) -> Option<i64> {
                model.created_by
            }
            fn confidence_of(model: &Self::Model) -> ConfidenceFields {
                (
                    model.confidence,
                    model.confidence_reason.clone(),
                    model.confidence_ceiling,
                    model.confidence_note.clone(),
                )
            }
            fn confidence_column() -> Self::Column {
                $module::Column::Confidence
            }
            #[allow(unused_variables, unused_mut)]
            fn references(model: &Self::Model) -> Vec<(RecordKind, i64)> {
                let mut refs = vec![$((RecordKind::$ref_kind, model.$field)),*];
                $(refs.extend(model.$opt_field.map(|id| (RecordKind::$opt_kind, id)));)*
                refs
            }
            #[allow(unused_variables)]
            fn required_references(model: &Self::Model) -> Vec<(RecordKind, i64)> {
                vec![$((RecordKind::$ref_kind, model.$field)),*]
            }
            fn reference_fields() -> &'static [(RecordKind, &'static str)] {
                &[$((RecordKind::$ref_kind, stringify!($field)),)* $((RecordKind::$opt_kind, stringify!($opt_field)),)*]
            }
            fn stamp_new(am: &mut Self::ActiveModel, editor: Option<i64>, now: DateTime<Utc>) {
                use sea_orm::Set;
                am.status = Set(RecordStatus::Draft);
                am.version = Set(1);
                am.created_at = Set(now);
                am.updated_at = Set(now);
                am.created_by = Set(editor);
                am.updated_by = Set(editor);
            }
            fn stamp_update(am: &mut Self::ActiveModel, editor: Option<i64>, now: DateTime<Utc>) {
                use sea_orm::Set;
                am.updated_at = Set(now);
                am.updated_by = Set(editor);
            }
        }
    };
}

curated!(
    organization,
    Organization,
    "Organization",
    OrganizationLists
);
curated!(instrument, Instrument, "Instrument", NoLists);
curated!(withdrawal, Withdrawal, "Withdrawal", NoLists,
    Organization: organization_id, Instrument: instrument_id);
curated!(stakeholder, Stakeholder, "Stakeholder", NoLists, ?Organization: organization_id);
curated!(reaction, Reaction, "Reaction", NoLists, Stakeholder: stakeholder_id,
    ?Withdrawal: withdrawal_id, ?Instrument: instrument_id, ?Pact: pact_id);
curated!(pact, Pact, "Pact", PactLists);
curated!(source, Source, "Source", NoLists);
curated!(correction, Correction, "Correction", CorrectionLists, ?Source: claim_source_id);

/// The GraphQL type name of a kind (the prefix of its global ids).
pub fn type_name(kind: RecordKind) -> &'static str {
    for_kind!(kind, K => K::TYPE_NAME)
}
