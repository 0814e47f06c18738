use super::*;
use crate::graphql::context::{load_error, loaders};
use crate::loaders::{ById, Loaders};
use crate::service::curated::{for_kind, Curated};
use crate::service::snapshot;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Interface, Result};

/// Any record with a global id (Relay's Node interface).
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "async_graphql::ID",
    desc = "The record's global id."
))]
pub enum Node {
    Organization(Organization),
    Instrument(Instrument),
    Withdrawal(Withdrawal),
    Stakeholder(Stakeholder),
    Reaction(Reaction),
    Pact(Pact),
    Source(Source),
    Correction(Correction),
}

/// How a curated kind appears in the schema: its object type, and the request's loader of
/// its records by id.
pub trait GraphKind: Curated {
    /// The record as a Node.
    fn node(model: Self::Model) -> Node;
    /// The loader of visible records of this kind by id.
    fn by_id(loaders: &Loaders) -> &DataLoader<ById<Self>>;
}

macro_rules! graph_kind {
    ($($module:ident => $ty:ident),* $(,)?) => {$(
        impl GraphKind for entity::$module::Entity {
            fn node(model: Self::Model) -> Node {
                Node::$ty($ty(model))
            }
            fn by_id(loaders: &Loaders) -> &DataLoader<ById<Self>> {
                &loaders.$module
            }
        }
    )*};
}

graph_kind! {
    organization => Organization,
    instrument => Instrument,
    withdrawal => Withdrawal,
    stakeholder => Stakeholder,
    reaction => Reaction,
    pact => Pact,
    source => Source,
    correction => Correction,
}

/// Loads any visible record by kind and id, through the request's loaders.
pub async fn load_node(ctx: &Context<'_>, kind: RecordKind, id: i64) -> Result<Option<Node>> {
    async fn load<K: GraphKind>(ctx: &Context<'_>, id: i64) -> Result<Option<Node>> {
        let found = K::by_id(loaders(ctx)).load_one(id).await;
        Ok(found.map_err(load_error)?.map(K::node))
    }
    for_kind!(kind, K => load::<K>(ctx, id).await)
}

/// The record a stored snapshot holds, as a Node (None if the snapshot does not decode, which
/// is logged by the caller's error path as an internal fault).
pub fn node_from_snapshot(
    kind: RecordKind,
    stored: &serde_json::Value,
) -> crate::error::AppResult<Node> {
    for_kind!(kind, K => snapshot::row::<K>(stored).map(K::node))
}
