use super::*;
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

/// Loads any visible record by kind and id, through the request's loaders.
pub async fn load_node(ctx: &Context<'_>, kind: RecordKind, id: i64) -> Result<Option<Node>> {
    Ok(match kind {
        RecordKind::Organization => {
            load_by_id!(ctx, organization, id, Organization)?.map(Node::Organization)
        }
        RecordKind::Instrument => {
            load_by_id!(ctx, instrument, id, Instrument)?.map(Node::Instrument)
        }
        RecordKind::Withdrawal => {
            load_by_id!(ctx, withdrawal, id, Withdrawal)?.map(Node::Withdrawal)
        }
        RecordKind::Stakeholder => {
            load_by_id!(ctx, stakeholder, id, Stakeholder)?.map(Node::Stakeholder)
        }
        RecordKind::Reaction => load_by_id!(ctx, reaction, id, Reaction)?.map(Node::Reaction),
        RecordKind::Pact => load_by_id!(ctx, pact, id, Pact)?.map(Node::Pact),
        RecordKind::Source => load_by_id!(ctx, source, id, Source)?.map(Node::Source),
        RecordKind::Correction => {
            load_by_id!(ctx, correction, id, Correction)?.map(Node::Correction)
        }
    })
}
