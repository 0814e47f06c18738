//! What every curated entity shares, so lookups, loaders and pages are written once.

use chrono::{DateTime, Utc};
use entity::enums::{RecordKind, RecordStatus};
use entity::*;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel};

/// A curated entity: it has an id, a slug and an editorial status.
pub trait Curated:
    EntityTrait<
    Model: Clone
               + Send
               + Sync
               + serde::Serialize
               + serde::de::DeserializeOwned
               + IntoActiveModel<Self::ActiveModel>,
    ActiveModel: ActiveModelTrait<Entity = Self> + sea_orm::ActiveModelBehavior + Send,
>
{
    const KIND: RecordKind;
    /// The GraphQL type name, also the prefix of global ids.
    const TYPE_NAME: &'static str;
    fn id_column() -> Self::Column;
    fn slug_column() -> Self::Column;
    fn status_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i64;
    fn version_column() -> Self::Column;
    fn version_of(model: &Self::Model) -> i32;
    fn status_of(model: &Self::Model) -> RecordStatus;
    /// Marks a new record: a version-1 draft by this editor.
    fn stamp_new(am: &mut Self::ActiveModel, editor: i64, now: DateTime<Utc>);
    /// Marks a change by this editor.
    fn stamp_update(am: &mut Self::ActiveModel, editor: i64, now: DateTime<Utc>);

    /// Only records with one of these statuses.
    fn visible(statuses: &[RecordStatus]) -> Condition {
        Condition::all().add(Self::status_column().is_in(statuses.iter().copied()))
    }
}

macro_rules! curated {
    ($module:ident, $kind:ident, $name:literal) => {
        impl Curated for $module::Entity {
            const KIND: RecordKind = RecordKind::$kind;
            const TYPE_NAME: &'static str = $name;
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
            fn version_column() -> Self::Column {
                $module::Column::Version
            }
            fn version_of(model: &Self::Model) -> i32 {
                model.version
            }
            fn status_of(model: &Self::Model) -> RecordStatus {
                model.status
            }
            fn stamp_new(am: &mut Self::ActiveModel, editor: i64, now: DateTime<Utc>) {
                use sea_orm::Set;
                am.status = Set(RecordStatus::Draft);
                am.version = Set(1);
                am.created_at = Set(now);
                am.updated_at = Set(now);
                am.created_by = Set(Some(editor));
                am.updated_by = Set(Some(editor));
            }
            fn stamp_update(am: &mut Self::ActiveModel, editor: i64, now: DateTime<Utc>) {
                use sea_orm::Set;
                am.updated_at = Set(now);
                am.updated_by = Set(Some(editor));
            }
        }
    };
}

curated!(organization, Organization, "Organization");
curated!(instrument, Instrument, "Instrument");
curated!(withdrawal, Withdrawal, "Withdrawal");
curated!(stakeholder, Stakeholder, "Stakeholder");
curated!(reaction, Reaction, "Reaction");
curated!(pact, Pact, "Pact");
curated!(source, Source, "Source");
curated!(correction, Correction, "Correction");
