//! What every curated entity shares, so lookups, loaders and pages are written once.

use entity::enums::{RecordKind, RecordStatus};
use entity::*;
use sea_orm::{ColumnTrait, Condition, EntityTrait};

/// A curated entity: it has an id, a slug and an editorial status.
pub trait Curated: EntityTrait<Model: Clone + Send + Sync + serde::Serialize> {
    const KIND: RecordKind;
    /// The GraphQL type name, also the prefix of global ids.
    const TYPE_NAME: &'static str;
    fn id_column() -> Self::Column;
    fn slug_column() -> Self::Column;
    fn status_column() -> Self::Column;
    fn id_of(model: &Self::Model) -> i64;

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
