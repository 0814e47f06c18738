//! What the planner knows of each kind: the fields it can answer from a row, and the
//! relations it can fetch for a whole page at once.

use crate::graphql::scalars::{Date, DateTime};
use crate::loaders::{Loaders, PageByColumn};
use crate::service::curated::Curated;
use crate::service::ids;
use async_graphql::dataloader::DataLoader;
use async_graphql::{InputType, ScalarType, Value};
use entity::enums::*;
use entity::*;

/// A field answered from the row alone.
pub type Scalar<E> = fn(&<E as sea_orm::EntityTrait>::Model) -> Value;

/// A kind the planner can answer: its row fields by GraphQL name, and its relations.
pub trait Plannable: Curated {
    /// The field `name` of this kind's type, if it comes from the row alone (the fields every
    /// record has, then the kind's own).
    fn scalar(name: &str) -> Option<Scalar<Self>>;

    /// The organization a row points at, for kinds with an `organization` field.
    fn organization_of() -> Option<fn(&Self::Model) -> i64> {
        None
    }

    /// The column `organization_of` reads, to join the organization in SQL.
    fn organization_column() -> Option<Self::Column> {
        None
    }

    /// Every field `scalar` answers (for the test of their columns).
    #[cfg(test)]
    fn scalar_fields() -> Vec<&'static str>;

    /// The loader of the rows' reactions, for kinds with a `reactions` connection.
    fn reactions(_loaders: &Loaders) -> Option<&DataLoader<PageByColumn<reaction::Entity>>> {
        None
    }
}

/// The column a row field reads: its name in snake case (`announcedOn`: `announced_on`).
/// A test checks it for every field the planner answers.
pub fn column_of(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The row fields every record has.
#[cfg(test)]
const COMMON_FIELDS: &[&str] = &[
    "id",
    "slug",
    "status",
    "confidence",
    "confidenceReason",
    "confidenceCeiling",
    "confidenceNote",
    "version",
    "createdAt",
    "updatedAt",
];

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn opt_text(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, text)
}

/// An enumeration's GraphQL value, made once per variant: `to_value` allocates its name for
/// every value it writes.
pub trait Enumerated: Sized + Copy + PartialEq + 'static {
    fn value(&self) -> Value;
}

macro_rules! enumerated_values {
    ($($t:ty),*) => {$(
        impl Enumerated for $t {
            fn value(&self) -> Value {
                static VALUES: std::sync::OnceLock<Vec<($t, Value)>> = std::sync::OnceLock::new();
                VALUES
                    .get_or_init(|| {
                        <$t as sea_orm::Iterable>::iter().map(|v| (v, InputType::to_value(&v))).collect()
                    })
                    .iter()
                    .find(|(v, _)| v == self)
                    .map_or_else(|| InputType::to_value(self), |(_, value)| value.clone())
            }
        }
    )*};
}

crate::service::rows::text_enums!(enumerated_values);

fn enumerated<T: Enumerated>(v: &T) -> Value {
    v.value()
}

/// A date as the `Date` scalar writes it ("2026-01-07"), without chrono's format parser for
/// the years that format needs no sign for.
fn date(d: chrono::NaiveDate) -> Value {
    use chrono::Datelike;
    if (0..=9999).contains(&d.year()) {
        Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
    } else {
        ScalarType::to_value(&Date(d))
    }
}

fn moment(t: chrono::DateTime<chrono::Utc>) -> Value {
    ScalarType::to_value(&DateTime(t))
}

/// Declares a kind's row fields: those every curated record has (as `curated_object!`
/// declares them) and the listed own fields, each with the expression that answers it.
macro_rules! plannable {
    ($module:ident { $($name:literal => |$m:ident| $value:expr,)* } $($rest:tt)*) => {
        impl Plannable for $module::Entity {
            fn scalar(name: &str) -> Option<Scalar<Self>> {
                let f: Scalar<Self> = match name {
                    "id" => |m| Value::String(ids::encode(<$module::Entity as Curated>::KIND, m.id)),
                    "slug" => |m| text(&m.slug),
                    "status" => |m| enumerated(&m.status),
                    "confidence" => |m| enumerated(&m.confidence),
                    "confidenceReason" => |m| text(&m.confidence_reason),
                    "confidenceCeiling" => |m| m.confidence_ceiling.as_ref().map_or(Value::Null, enumerated),
                    "confidenceNote" => |m| opt_text(&m.confidence_note),
                    "version" => |m| Value::from(m.version),
                    "createdAt" => |m| moment(m.created_at),
                    "updatedAt" => |m| moment(m.updated_at),
                    $($name => |$m| $value,)*
                    _ => return None,
                };
                Some(f)
            }
            #[cfg(test)]
            fn scalar_fields() -> Vec<&'static str> {
                let own: &[&str] = &[$($name),*];
                [COMMON_FIELDS, own].concat()
            }
            $($rest)*
        }
    };
}

plannable!(organization {
    "name" => |m| text(&m.name),
    "acronym" => |m| opt_text(&m.acronym),
    "kind" => |m| enumerated(&m.kind),
    "digitalRelevance" => |m| enumerated(&m.digital_relevance),
    "listSection" => |m| m.list_section.as_ref().map_or(Value::Null, enumerated),
    "listPosition" => |m| m.list_position.map_or(Value::Null, Value::from),
    "hostedByUn" => |m| Value::Boolean(m.hosted_by_un),
    "headquarters" => |m| opt_text(&m.headquarters),
    "website" => |m| opt_text(&m.website),
    "description" => |m| text(&m.description),
}
);

plannable!(withdrawal {
    "announcedOn" => |m| date(m.announced_on),
    "effectiveOn" => |m| m.effective_on.map_or(Value::Null, date),
    "withdrawalStatus" => |m| enumerated(&m.withdrawal_status),
    "fundingEnded" => |m| m.funding_ended.map_or(Value::Null, Value::Boolean),
    "rationale" => |m| opt_text(&m.rationale),
    "expectedImpact" => |m| opt_text(&m.expected_impact),
}
    fn organization_of() -> Option<fn(&Self::Model) -> i64> {
        Some(|m| m.organization_id)
    }
    fn organization_column() -> Option<Self::Column> {
        Some(withdrawal::Column::OrganizationId)
    }
    fn reactions(loaders: &Loaders) -> Option<&DataLoader<PageByColumn<reaction::Entity>>> {
        Some(&loaders.reactions_by_withdrawal)
    }
);

plannable!(reaction {
    "subjectKind" => |m| enumerated(&m.subject_kind),
    "stance" => |m| enumerated(&m.stance),
    "summary" => |m| text(&m.summary),
    "reactedOn" => |m| date(m.reacted_on),
    "dateApproximate" => |m| Value::Boolean(m.date_approximate),
}
);

// The other kinds: the fields every record has (their own fields go through the executor).
plannable!(instrument {});
plannable!(stakeholder {});
plannable!(pact {});
plannable!(source {});
plannable!(correction {});

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_are_written_as_the_scalar_writes_them() {
        for (y, m, d) in [
            (-5, 1, 1),
            (0, 2, 29),
            (7, 3, 4),
            (999, 12, 31),
            (2026, 1, 7),
            (9999, 12, 31),
            (10000, 1, 1),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date(day), ScalarType::to_value(&Date(day)), "{day:?}");
        }
    }

    /// The planner reads only the columns of the fields asked: each field's column must be
    /// the one its value comes from, or the field would answer a placeholder.
    #[test]
    fn every_row_field_reads_its_own_column() {
        fn check<E: Plannable>() {
            use sea_orm::{IdenStatic, Iterable};
            for field in E::scalar_fields() {
                assert!(E::scalar(field).is_some(), "{field}");
                let column = column_of(field);
                assert!(
                    E::Column::iter().any(|c| c.as_str() == column),
                    "{}.{field} has no column {column}",
                    E::TYPE_NAME
                );
            }
        }
        check::<organization::Entity>();
        check::<withdrawal::Entity>();
        check::<reaction::Entity>();
        check::<instrument::Entity>();
        check::<stakeholder::Entity>();
        check::<pact::Entity>();
        check::<source::Entity>();
        check::<correction::Entity>();
    }

    #[test]
    fn enumerations_are_written_as_async_graphql_writes_them() {
        fn all<T: Enumerated + sea_orm::Iterable + InputType>() {
            for v in <T as sea_orm::Iterable>::iter() {
                assert_eq!(v.value(), InputType::to_value(&v));
            }
        }
        all::<RecordStatus>();
        all::<Confidence>();
        all::<OrganizationKind>();
        all::<DigitalRelevance>();
        all::<ListSection>();
        all::<WithdrawalStatus>();
        all::<SubjectKind>();
        all::<Stance>();
    }
}
