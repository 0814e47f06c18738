//! What the planner knows of each kind: the fields it can answer from a row, and the
//! relations it can fetch for a whole page at once.

use crate::loaders::{Loaders, PageByColumn};
use crate::service::curated::Curated;
use crate::service::page::SortSpec;
use async_graphql::dataloader::DataLoader;
use async_graphql::{InputType, Value};
use entity::enums::*;
use entity::*;

/// A field answered from the row alone.
pub type Scalar<E> = for<'a> fn(&'a <E as sea_orm::EntityTrait>::Model) -> Out<'a>;

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

    /// What the `reactions` loader reads by: the column of `reaction` that points at this
    /// kind's rows, and the reactions' order. From the kind, so that planning a page and
    /// joining its reactions in SQL need not make the request's loaders.
    fn reactions_by() -> Option<(reaction::Column, SortSpec<reaction::Entity>)> {
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

/// A row field's answer, borrowed from the row: the writer (`super::write`) writes it as
/// JSON without building a value for it first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Out<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Text(&'a str),
    /// An enumeration's GraphQL name.
    Enum(&'static str),
    Date(chrono::NaiveDate),
    Moment(chrono::DateTime<chrono::Utc>),
    /// A global id: the kind and the row's number.
    Id(RecordKind, i64),
}

impl Out<'_> {
    /// The value async-graphql's executor gives the same field (for the tests that compare
    /// the two).
    #[cfg(test)]
    pub fn to_value(self) -> Value {
        use crate::graphql::scalars::{Date, DateTime};
        use crate::service::ids;
        use async_graphql::ScalarType;
        match self {
            Out::Null => Value::Null,
            Out::Bool(b) => Value::Boolean(b),
            Out::Int(n) => Value::from(n),
            Out::Text(s) => Value::String(s.to_owned()),
            Out::Enum(name) => Value::Enum(async_graphql::Name::new(name)),
            Out::Date(d) => ScalarType::to_value(&Date(d)),
            Out::Moment(t) => ScalarType::to_value(&DateTime(t)),
            Out::Id(kind, id) => Value::String(ids::encode(kind, id)),
        }
    }
}

fn opt_text(s: &Option<String>) -> Out<'_> {
    s.as_deref().map_or(Out::Null, Out::Text)
}

/// An enumeration's GraphQL name, made once per variant.
pub trait Enumerated: Sized + Copy + PartialEq + 'static {
    fn name(&self) -> &'static str;
}

macro_rules! enumerated_names {
    ($($t:ty),*) => {$(
        impl Enumerated for $t {
            fn name(&self) -> &'static str {
                static NAMES: std::sync::OnceLock<Vec<($t, String)>> = std::sync::OnceLock::new();
                let names = NAMES.get_or_init(|| {
                    <$t as sea_orm::Iterable>::iter()
                        .map(|v| match InputType::to_value(&v) {
                            Value::Enum(name) => (v, name.to_string()),
                            other => (v, other.to_string()),
                        })
                        .collect()
                });
                // Every variant is in the table: it was made from the enumeration's iterator.
                names.iter().find(|(v, _)| v == self).map_or("", |(_, n)| n.as_str())
            }
        }
    )*};
}

crate::service::rows::text_enums!(enumerated_names);

fn enumerated<T: Enumerated>(v: &T) -> Out<'static> {
    Out::Enum(v.name())
}

/// Declares a kind's row fields: those every curated record has (as `curated_object!`
/// declares them) and the listed own fields, each with the expression that answers it.
macro_rules! plannable {
    ($module:ident { $($name:literal => |$m:ident| $value:expr,)* } $($rest:tt)*) => {
        impl Plannable for $module::Entity {
            fn scalar(name: &str) -> Option<Scalar<Self>> {
                let f: Scalar<Self> = match name {
                    "id" => |m| Out::Id(<$module::Entity as Curated>::KIND, m.id),
                    "slug" => |m| Out::Text(&m.slug),
                    "status" => |m| enumerated(&m.status),
                    "confidence" => |m| enumerated(&m.confidence),
                    "confidenceReason" => |m| Out::Text(&m.confidence_reason),
                    "confidenceCeiling" => |m| m.confidence_ceiling.as_ref().map_or(Out::Null, enumerated),
                    "confidenceNote" => |m| opt_text(&m.confidence_note),
                    "version" => |m| Out::Int(m.version.into()),
                    "createdAt" => |m| Out::Moment(m.created_at),
                    "updatedAt" => |m| Out::Moment(m.updated_at),
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
    "name" => |m| Out::Text(&m.name),
    "acronym" => |m| opt_text(&m.acronym),
    "kind" => |m| enumerated(&m.kind),
    "digitalRelevance" => |m| enumerated(&m.digital_relevance),
    "listSection" => |m| m.list_section.as_ref().map_or(Out::Null, enumerated),
    "listPosition" => |m| m.list_position.map_or(Out::Null, |p| Out::Int(p.into())),
    "hostedByUn" => |m| Out::Bool(m.hosted_by_un),
    "headquarters" => |m| opt_text(&m.headquarters),
    "website" => |m| opt_text(&m.website),
    "description" => |m| Out::Text(&m.description),
}
);

plannable!(withdrawal {
    "announcedOn" => |m| Out::Date(m.announced_on),
    "effectiveOn" => |m| m.effective_on.map_or(Out::Null, Out::Date),
    "withdrawalStatus" => |m| enumerated(&m.withdrawal_status),
    "fundingEnded" => |m| m.funding_ended.map_or(Out::Null, Out::Bool),
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
    fn reactions_by() -> Option<(reaction::Column, SortSpec<reaction::Entity>)> {
        use crate::service::lists::ReactionOrder;
        Some((reaction::Column::WithdrawalId, ReactionOrder::ReactedOnAsc.spec()))
    }
);

plannable!(reaction {
    "subjectKind" => |m| enumerated(&m.subject_kind),
    "stance" => |m| enumerated(&m.stance),
    "summary" => |m| Out::Text(&m.summary),
    "reactedOn" => |m| Out::Date(m.reacted_on),
    "dateApproximate" => |m| Out::Bool(m.date_approximate),
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
                assert_eq!(enumerated(&v).to_value(), InputType::to_value(&v));
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

    /// The column the planner joins reactions by and their order are the ones their loader
    /// reads by, for every kind: the planner does not make the loaders to ask them.
    #[tokio::test]
    async fn the_planners_reactions_are_the_loaders() {
        use sea_orm::IdenStatic;
        type By = (reaction::Column, SortSpec<reaction::Entity>);
        // What identifies a column and an order (`SortSpec` has no `PartialEq`).
        fn key((column, sort): &By) -> impl PartialEq + std::fmt::Debug {
            let order = (
                sort.name,
                sort.column.as_str(),
                sort.descending,
                sort.value_type,
            );
            (column.as_str(), order)
        }
        fn check<E: Plannable>(loaders: &Loaders) {
            let loader =
                E::reactions(loaders).map(|l| (l.loader().column(), l.loader().sort().clone()));
            assert_eq!(
                loader.as_ref().map(key),
                E::reactions_by().as_ref().map(key),
                "{}",
                E::TYPE_NAME
            );
        }
        let db = sea_orm::DatabaseConnection::default();
        let loaders = Loaders::new(&db, &crate::service::Viewer::Anonymous);
        check::<organization::Entity>(&loaders);
        check::<withdrawal::Entity>(&loaders);
        check::<reaction::Entity>(&loaders);
        check::<instrument::Entity>(&loaders);
        check::<stakeholder::Entity>(&loaders);
        check::<pact::Entity>(&loaders);
        check::<source::Entity>(&loaders);
        check::<correction::Entity>(&loaders);
    }
}
