//! The inputs that create and update records, their validation, and the generic
//! create/update flow. An update takes the whole editable state of the record (the same
//! input as create) and replaces it, if the record is still at `expectedVersion`.
//!
//! The inputs are plain Rust: the GraphQL layer maps its input objects onto them, and the
//! shipped dataset deserializes into them (references by slug instead of global id), so both
//! go through the same validation.

mod check;
mod correction;
mod instrument;
mod organization;
mod pact;
mod reaction;
mod source;
mod stakeholder;
mod withdrawal;

pub use check::Check;
pub use correction::CorrectionInput;
pub use instrument::InstrumentInput;
pub use organization::OrganizationInput;
pub use pact::{PactInput, PactPartyInput, PactReplacementInput};
pub use reaction::ReactionInput;
pub use source::SourceInput;
pub use stakeholder::StakeholderInput;
pub use withdrawal::WithdrawalInput;

use super::curated::Curated;
use super::editing::{self, log_change};
use super::records;
use crate::error::AppResult;
use entity::enums::{Confidence, RecordKind, RevisionAction};
use sea_orm::{ConnectionTrait, EntityTrait};
use std::future::Future;

/// A reference to another record: a global id (from the API) or a slug (from the dataset,
/// with the record's kind where the field admits several kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    Id(String),
    Slug {
        kind: Option<RecordKind>,
        slug: String,
    },
}

impl<'de> serde::Deserialize<'de> for RecordRef {
    /// The dataset's forms: `"slug"`, or `{ "kind": "WITHDRAWAL", "slug": "…" }`.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Form {
            Slug(String),
            #[serde(rename_all = "camelCase")]
            KindSlug {
                kind: RecordKind,
                slug: String,
            },
        }
        Ok(match Form::deserialize(d)? {
            Form::Slug(slug) => RecordRef::Slug { kind: None, slug },
            Form::KindSlug { kind, slug } => RecordRef::Slug {
                kind: Some(kind),
                slug,
            },
        })
    }
}

/// The confidence of a record or claim when the input gives none.
fn unconfirmed() -> Confidence {
    Confidence::Unconfirmed
}

type ActiveOf<I> = <<I as RecordInput>::Entity as EntityTrait>::ActiveModel;
type ModelOf<I> = <<I as RecordInput>::Entity as EntityTrait>::Model;

/// An input that creates or replaces one kind of record.
pub trait RecordInput: Sync {
    type Entity: Curated;

    /// Validates the input (references included) and returns the record's editable fields.
    /// `current` is the record being updated, if any.
    fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        current: Option<&ModelOf<Self>>,
    ) -> impl Future<Output = AppResult<ActiveOf<Self>>> + Send;

    /// Writes the record's own lists (categories, parties, …) after the record is saved.
    fn write_lists<C: ConnectionTrait>(
        &self,
        _db: &C,
        _saved: &ModelOf<Self>,
        _before: Option<&ModelOf<Self>>,
    ) -> impl Future<Output = AppResult<()>> + Send {
        async { Ok(()) }
    }
}

/// A source a new record cites, with a note on what it supports.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cite {
    pub source: RecordRef,
    pub note: Option<String>,
}

/// Creates a draft from an input, with its CREATE revision.
pub async fn create_record<I: RecordInput, C: ConnectionTrait>(
    db: &C,
    input: &I,
    editor: i64,
) -> AppResult<ModelOf<I>> {
    insert_record(db, input, Some(editor), &[], false).await
}

/// Creates a record that is published at once, as the shipped dataset's are: the same
/// validation and writes as `create…`, `attachSource` and `publish` (its sources must exist,
/// and it needs a published one), but one CREATE revision at version 1, by no editor.
pub async fn create_published<I: RecordInput, C: ConnectionTrait>(
    db: &C,
    input: &I,
    sources: &[Cite],
) -> AppResult<()> {
    insert_record(db, input, None, sources, true).await?;
    Ok(())
}

/// Inserts a record (a draft, or published at once); returns the row as inserted, so with
/// `publish` its status is stale: only `create_record`, which does not publish, returns it.
async fn insert_record<I: RecordInput, C: ConnectionTrait>(
    db: &C,
    input: &I,
    editor: Option<i64>,
    sources: &[Cite],
    publish: bool,
) -> AppResult<ModelOf<I>> {
    let am = input.prepare(db, None).await?;
    let mut c = Check::default();
    let mut links = Vec::with_capacity(sources.len());
    for (i, cite) in sources.iter().enumerate() {
        let field = format!("sources[{i}]");
        let id = c
            .reference(db, &field, &cite.source, RecordKind::Source)
            .await?;
        links.push((id, c.opt_text(&format!("{field}.note"), &cite.note, 1000)));
    }
    c.finish()?;
    let model = records::insert::<I::Entity, _>(db, am, editor).await?;
    input.write_lists(db, &model, None).await?;
    let (kind, id) = (I::Entity::KIND, I::Entity::id_of(&model));
    for (source, note) in links {
        editing::link_source(db, kind, id, source, note).await?;
    }
    if publish {
        editing::check_publishable(db, kind, id).await?;
        records::publish_new::<I::Entity, _>(db, id).await?;
    }
    log_change(db, kind, id, 1, RevisionAction::Create, editor).await?;
    Ok(model)
}

/// Replaces a record's editable state if it is still at `expected`, with an UPDATE revision.
pub async fn update_record<I: RecordInput, C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: i32,
    input: &I,
    editor: i64,
) -> AppResult<ModelOf<I>> {
    let current = records::existing::<I::Entity, _>(db, id).await?;
    let am = input.prepare(db, Some(&current)).await?;
    let model = records::update_checked::<I::Entity, _>(db, id, expected, am, editor).await?;
    input.write_lists(db, &model, Some(&current)).await?;
    log_change(
        db,
        I::Entity::KIND,
        id,
        I::Entity::version_of(&model),
        RevisionAction::Update,
        Some(editor),
    )
    .await?;
    Ok(model)
}
