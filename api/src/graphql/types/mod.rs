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

use crate::graphql::context::{load_error, loaders};
use async_graphql::{Context, Result};
use entity::enums::RecordKind;
use sea_orm::{DatabaseConnection, Statement};

/// Facts about a whole list, beyond the current page.
pub struct ListInfo {
    db: DatabaseConnection,
    count: Statement,
}

impl ListInfo {
    pub fn new(db: DatabaseConnection, count: Statement) -> Self {
        Self { db, count }
    }
}

impl ListInfo {
    /// Counts the rows the filter matches; run only when a client asks for `totalCount`.
    pub async fn total_count(&self) -> Result<u64> {
        Ok(crate::service::page::count(&self.db, self.count.clone()).await?)
    }
}

/// The sources of a record.
pub(crate) async fn citations(
    ctx: &Context<'_>,
    kind: RecordKind,
    id: i64,
) -> Result<Vec<SourceLink>> {
    let cited = loaders(ctx)
        .sources_of
        .load_one((kind, id))
        .await
        .map_err(load_error)?;
    Ok(cited
        .unwrap_or_default()
        .into_iter()
        .map(SourceLink)
        .collect())
}

/// The corrections concerning a record.
pub(crate) async fn corrections_of(
    ctx: &Context<'_>,
    kind: RecordKind,
    id: i64,
) -> Result<Vec<Correction>> {
    let found = loaders(ctx)
        .corrections_of
        .load_one((kind, id))
        .await
        .map_err(load_error)?;
    Ok(found
        .unwrap_or_default()
        .into_iter()
        .map(Correction)
        .collect())
}

/// Declares a GraphQL object over a curated model, with the fields every curated record has
/// followed by the type's own fields.
macro_rules! curated_object {
    ($(#[$meta:meta])* $ty:ident, $kind:ident, { $($body:tt)* }) => {
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
            /// How well the record is supported by its sources.
            async fn confidence(&self) -> entity::enums::Confidence {
                self.0.confidence
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
            /// The sources cited for this record, each with a note on what it supports.
            async fn sources(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Vec<crate::graphql::types::SourceLink>> {
                crate::graphql::types::citations(ctx, entity::enums::RecordKind::$kind, self.0.id).await
            }
            /// Corrections of claims in circulation that concern this record.
            async fn corrections(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Vec<crate::graphql::types::Correction>> {
                crate::graphql::types::corrections_of(ctx, entity::enums::RecordKind::$kind, self.0.id).await
            }
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
