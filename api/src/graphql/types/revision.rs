use super::{load_node, Editor, Node};
use crate::graphql::context::{data, load_error, loaders};
use crate::service::history::FieldChange;
use crate::service::visibility::{self, Shown};
use async_graphql::{Context, Json, Object, Result, SimpleObject, ID};
use entity::enums::{RecordKind, RevisionAction};
use entity::revision;

/// One change to one record.
pub struct Revision(pub revision::Model);

/// The global id of a revision.
pub fn revision_id(id: i64) -> ID {
    crate::service::ids::revision(id).into()
}

/// Reads a revision's global id.
pub fn decode_revision_id(global: &str) -> Option<i64> {
    crate::service::ids::decode_revision(global)
}

/// One field that changed.
#[derive(SimpleObject)]
pub struct RevisionChange {
    /// The field or list that changed (the record's fields in snake_case, lists by name).
    field: String,
    /// Its value before.
    before: Json<serde_json::Value>,
    /// Its value after.
    after: Json<serde_json::Value>,
}

impl From<FieldChange> for RevisionChange {
    fn from(c: FieldChange) -> Self {
        Self {
            field: c.field,
            before: Json(c.before),
            after: Json(c.after),
        }
    }
}

/// One change to one record: who, when, what, and the record as it stood afterwards.
#[Object]
impl Revision {
    /// The revision's global id; pass it to `revert` to go back to this state.
    async fn id(&self) -> ID {
        revision_id(self.0.id)
    }
    /// Its place in the log of all changes; increases with every change.
    async fn sequence(&self) -> i64 {
        self.0.id
    }
    /// What the change did.
    async fn action(&self) -> RevisionAction {
        self.0.action
    }
    /// The record's version after the change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it happened.
    async fn at(&self) -> crate::graphql::scalars::DateTime {
        self.0.at.into()
    }
    /// Who made it (null for the shipped dataset, and for anonymous readers).
    async fn editor(&self, ctx: &Context<'_>) -> Result<Option<Editor>> {
        if data(ctx).viewer == crate::service::Viewer::Anonymous {
            return Ok(None);
        }
        match self.0.editor_id {
            Some(id) => Ok(crate::service::editors::by_id(&data(ctx).db, id)
                .await
                .ok()
                .map(Editor)),
            None => Ok(None),
        }
    }
    /// The kind of record changed.
    async fn record_kind(&self) -> RecordKind {
        self.0.record_kind
    }
    /// The record as it is now (null if it is not visible to you).
    async fn record(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        load_node(ctx, self.0.record_kind, self.0.record_id).await
    }
    /// The record as it stood after this change, with its lists and sources. For the public,
    /// without references to records that are not published and without editor ids.
    async fn snapshot(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let kind = self.0.record_kind;
        let shown = shown(ctx, &[&self.0.snapshot], kind).await?;
        Ok(Json(visibility::snapshot(
            kind,
            &self.0.snapshot,
            shown.as_ref(),
        )?))
    }
    /// What this change altered: against the revision before it, or for the public against
    /// the record's last published state before it.
    async fn diff(&self, ctx: &Context<'_>) -> Result<Vec<RevisionChange>> {
        let d = data(ctx);
        let kind = self.0.record_kind;
        let previous = visibility::previous(&d.db, &d.viewer, &self.0).await?;
        let before = previous.as_ref().map(|p| &p.snapshot);
        let sides: Vec<&serde_json::Value> = before.into_iter().chain([&self.0.snapshot]).collect();
        let shown = shown(ctx, &sides, kind).await?;
        let changes = visibility::diff(kind, before, &self.0.snapshot, shown.as_ref())?;
        Ok(changes.into_iter().map(RevisionChange::from).collect())
    }
}

/// The records referred to by these snapshots that the viewer may see; None for editors,
/// who see them all. Batched across the revisions of one answer.
async fn shown(
    ctx: &Context<'_>,
    snapshots: &[&serde_json::Value],
    kind: RecordKind,
) -> Result<Option<Shown>> {
    if data(ctx).viewer != crate::service::Viewer::Anonymous {
        return Ok(None);
    }
    let mut refs = Vec::new();
    for s in snapshots {
        refs.extend(visibility::references(kind, s)?);
    }
    let found = loaders(ctx)
        .published
        .load_many(refs)
        .await
        .map_err(load_error)?;
    Ok(Some(found.into_keys().collect()))
}

/// A page of revisions, newest first.
#[derive(SimpleObject)]
pub struct RevisionConnection {
    /// The revisions of this page, each with its cursor.
    pub edges: Vec<RevisionEdge>,
    /// Whether there are more, and the cursors at this page's ends.
    pub page_info: async_graphql::connection::PageInfo,
}

/// A revision in a page, with its cursor.
#[derive(SimpleObject)]
pub struct RevisionEdge {
    /// Pass it as `after` to continue from this revision.
    pub cursor: String,
    /// The revision.
    pub node: Revision,
}
