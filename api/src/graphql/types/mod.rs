//! GraphQL object types, one per file, plus the Node interface and connections.

mod connection;
mod correction;
mod editor;
mod instrument;
mod node;
mod organization;
mod pact;
mod reaction;
mod revision;
mod source;
mod stakeholder;
mod withdrawal;

pub use connection::*;
pub use correction::Correction;
pub use editor::{decode_editor_id, editor_id, Editor};
pub use instrument::Instrument;
pub use node::{load_node, node_from_snapshot, GraphKind, Node};
pub use organization::Organization;
pub use pact::{Pact, PactParty, PactReplacement, PactStatusChange};
pub use reaction::{Reaction, ReactionSubject};
pub use revision::{decode_revision_id, Revision, RevisionConnection, RevisionEdge};
pub use source::{Source, SourceLink};
pub use stakeholder::Stakeholder;
pub use withdrawal::Withdrawal;

use crate::graphql::context::{limits, load_error, loaders};
use crate::loaders::{PageByColumn, Relation};
use crate::service::curated::Curated;
use crate::service::page;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Result};
use entity::enums::RecordKind;
use sea_orm::{DatabaseConnection, Statement};

/// Facts about a whole list, beyond the current page.
pub enum ListInfo {
    /// A top-level list: the statement that counts what its filter matches.
    Query {
        db: DatabaseConnection,
        count: Statement,
    },
    /// A record's own list: counted with the other parents' lists in one statement.
    Children(Relation, i64),
    /// A list loaded whole (a record's sources or corrections).
    Known(u64),
}

impl ListInfo {
    pub fn new(db: DatabaseConnection, count: Statement) -> Self {
        Self::Query { db, count }
    }

    /// Counts the rows of the whole list; run only when a client asks for `totalCount`.
    pub async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        match self {
            Self::Query { db, count } => Ok(crate::service::page::count(db, count.clone()).await?),
            Self::Children(relation, parent) => loaders(ctx)
                .total(*relation, *parent)
                .await
                .map_err(load_error),
            Self::Known(n) => Ok(*n),
        }
    }
}

/// One page of a record's own list (a withdrawal's reactions, an organization's
/// withdrawals…), as a connection: the page of every parent in one statement.
pub(crate) async fn child_page<E, T, P>(
    ctx: &Context<'_>,
    loader: &DataLoader<PageByColumn<E>>,
    parent: i64,
    first: Option<i32>,
    after: Option<String>,
    wrap: fn(E::Model) -> T,
) -> Result<P>
where
    E: Curated,
    E::Model: Clone + Send + Sync,
    E::Column: Send + Sync,
    P: FromPage<T>,
{
    let sort = loader.loader().sort();
    let args = page::child_args(first, after.as_deref(), sort, limits(ctx))?;
    let size = args.first as usize;
    let has_previous_page = args.after.is_some();
    let mut rows = loader
        .load_one((parent, args))
        .await
        .map_err(load_error)?
        .unwrap_or_default();
    let has_next_page = rows.len() > size;
    rows.truncate(size);
    let rows: Vec<(String, T)> = rows
        .into_iter()
        .map(|m| (page::encode_cursor(sort, E::id_of(&m), &m), wrap(m)))
        .collect();
    let info = ListInfo::Children(loader.loader().relation(), parent);
    Ok(P::from_rows(rows, has_previous_page, has_next_page, info))
}

/// A page cut from a list loaded whole, as a connection.
fn sliced<T, P: FromPage<T>>(slice: page::Slice<T>) -> P {
    let info = ListInfo::Known(slice.total);
    P::from_rows(
        slice.rows,
        slice.has_previous_page,
        slice.has_next_page,
        info,
    )
}

/// A page of the sources of a record, in the order they were cited.
pub(crate) async fn citations(
    ctx: &Context<'_>,
    kind: RecordKind,
    id: i64,
    first: Option<i32>,
    after: Option<String>,
) -> Result<SourceLinkConnection> {
    let cited = loaders(ctx)
        .sources_of
        .load_one((kind, id))
        .await
        .map_err(load_error)?
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.link, SourceLink(c)))
        .collect();
    let slice = page::slice(cited, first, after.as_deref(), "SourceLink", limits(ctx))?;
    Ok(sliced(slice))
}

/// A page of the corrections concerning a record, oldest first.
pub(crate) async fn corrections_of(
    ctx: &Context<'_>,
    kind: RecordKind,
    id: i64,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CorrectionConnection> {
    let found = loaders(ctx)
        .corrections_of
        .load_one((kind, id))
        .await
        .map_err(load_error)?
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id, Correction(c)))
        .collect();
    let slice = page::slice(found, first, after.as_deref(), "CorrectionOf", limits(ctx))?;
    Ok(sliced(slice))
}

/// Declares a GraphQL object over a curated model, with the fields every curated record has
/// followed by the type's own fields.
///
/// `children` declares the record's own lists as connections (`name: Connection = loader,
/// NodeType;`). They are written here rather than in each type's body so that their
/// complexity expressions and the `#[Object]` that reads them share one macro hygiene.
macro_rules! curated_object {
    ($(#[$meta:meta])* $ty:ident, $kind:ident, { $($body:tt)* }) => {
        crate::graphql::types::curated_object!($(#[$meta])* $ty, $kind, children: [], { $($body)* });
    };
    ($(#[$meta:meta])* $ty:ident, $kind:ident,
     children: [$($(#[$child_doc:meta])* $child:ident: $conn:ident = $loader:ident, $node:ident;)*],
     { $($body:tt)* }) => {
        #[async_graphql::Object]
        $(#[$meta])*
        impl $ty {
            /// The record's global id: opaque, stable, accepted by `node`.
            pub async fn id(&self) -> async_graphql::ID {
                crate::service::ids::encode(entity::enums::RecordKind::$kind, self.0.id).into()
            }
            /// The stable, human-readable key people link to.
            async fn slug(&self) -> &str {
                &self.0.slug
            }
            /// Where the record is in the editorial workflow.
            async fn status(&self) -> entity::enums::RecordStatus {
                self.0.status
            }
            /// How well the record is supported by its sources, computed by the rule the
            /// README gives from its published sources (an editor may only lower it).
            async fn confidence(&self) -> entity::enums::Confidence {
                self.0.confidence
            }
            /// Why the record has its confidence, in plain words: the official text or the
            /// independent publishers behind it, or an editor's reason for lowering it.
            async fn confidence_reason(&self) -> &str {
                &self.0.confidence_reason
            }
            /// An editor's ceiling on the confidence, if one lowered it (send it back with
            /// `confidenceNote` in an update to keep it).
            async fn confidence_ceiling(&self) -> Option<entity::enums::Confidence> {
                self.0.confidence_ceiling
            }
            /// The editor's reason for the ceiling.
            async fn confidence_note(&self) -> Option<&str> {
                self.0.confidence_note.as_deref()
            }
            /// Goes up by one on every change; editors pass it back as `expectedVersion`.
            async fn version(&self) -> i32 {
                self.0.version
            }
            /// When the record was created.
            async fn created_at(&self) -> crate::graphql::scalars::DateTime {
                self.0.created_at.into()
            }
            /// When the record last changed.
            async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
                self.0.updated_at.into()
            }
            /// The sources cited for this record, in the order they were cited, each with a
            /// note on what it supports.
            #[graphql(complexity = "crate::graphql::limits::cost(first, child_complexity)")]
            async fn sources(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Return the first n (by default the server's default page size, at most its maximum).")]
                first: Option<i32>,
                #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
            ) -> async_graphql::Result<crate::graphql::types::SourceLinkConnection> {
                crate::graphql::types::citations(ctx, entity::enums::RecordKind::$kind, self.0.id, first, after).await
            }
            /// Corrections of claims in circulation that concern this record, oldest first.
            #[graphql(complexity = "crate::graphql::limits::cost(first, child_complexity)")]
            async fn corrections(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Return the first n (by default the server's default page size, at most its maximum).")]
                first: Option<i32>,
                #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
            ) -> async_graphql::Result<crate::graphql::types::CorrectionConnection> {
                crate::graphql::types::corrections_of(ctx, entity::enums::RecordKind::$kind, self.0.id, first, after).await
            }
            $(
            $(#[$child_doc])*
            #[graphql(complexity = "crate::graphql::limits::cost(first, child_complexity)")]
            async fn $child(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Return the first n (by default the server's default page size, at most its maximum).")]
                first: Option<i32>,
                #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
            ) -> async_graphql::Result<crate::graphql::types::$conn> {
                let loader = &crate::graphql::context::loaders(ctx).$loader;
                crate::graphql::types::child_page(ctx, loader, self.0.id, first, after, crate::graphql::types::$node).await
            }
            )*
            $($body)*
        }
    };
}
pub(crate) use curated_object;

/// Loads one related record by id through a loader; `None` when it is not visible.
macro_rules! load_by_id {
    ($ctx:expr, $loader:ident, $id:expr, $wrap:path) => {
        crate::graphql::context::loaders($ctx)
            .$loader
            .load_one($id)
            .await
            .map(|found| found.map($wrap))
            .map_err(crate::graphql::context::load_error)
    };
}
pub(crate) use load_by_id;

/// Loads the records grouped under a key through a loader.
macro_rules! load_many {
    ($ctx:expr, $loader:ident, $key:expr, $wrap:path) => {
        crate::graphql::context::loaders($ctx)
            .$loader
            .load_one($key)
            .await
            .map(|found| {
                found
                    .unwrap_or_default()
                    .into_iter()
                    .map($wrap)
                    .collect::<Vec<_>>()
            })
            .map_err(crate::graphql::context::load_error)
    };
}
pub(crate) use load_many;
