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

use super::confidence;
use super::curated::Curated;
use super::editing::{self, log_change};
use super::records;
use crate::error::AppResult;
use entity::enums::{Confidence, RecordKind, RevisionAction};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};
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

/// The confidence of a claim when the input gives none.
fn unconfirmed() -> Confidence {
    Confidence::Unconfirmed
}

/// An editor's ceiling on a record's confidence: allowed only with a reason, because it
/// overrides what the sources say. With `keep` (an update that left `confidence` out) the
/// record's current ceiling stands, so that a client unaware of ceilings cannot lift one.
pub fn ceiling(
    c: &mut Check,
    ceiling: Option<Confidence>,
    note: &Option<String>,
    keep: bool,
    current: Option<(Option<Confidence>, Option<String>)>,
) -> (Option<Confidence>, Option<String>) {
    if keep && ceiling.is_none() {
        if note.is_some() {
            c.fail(
                "confidenceNote",
                "goes with confidence: send both to set a ceiling, confidence: null to lift it",
            );
        }
        return current.unwrap_or((None, None));
    }
    let note = c.opt_text("confidenceNote", note, 1000);
    match (ceiling, &note) {
        (Some(_), None) => {
            c.fail(
                "confidenceNote",
                "is required with confidence: say why the record claims less than its sources",
            );
            (ceiling, None)
        }
        (None, Some(_)) => {
            c.fail(
                "confidence",
                "is required with confidenceNote (the ceiling it explains)",
            );
            (None, note)
        }
        _ => (ceiling, note),
    }
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

/// The citations an input gives a record, checked: each source must exist, each note fit.
async fn citations<C: ConnectionTrait>(
    db: &C,
    sources: &[Cite],
) -> AppResult<Vec<(i64, Option<String>)>> {
    let mut c = Check::default();
    let mut links = Vec::with_capacity(sources.len());
    for (i, cite) in sources.iter().enumerate() {
        let field = format!("sources[{i}]");
        let source = c
            .reference(db, &field, &cite.source, RecordKind::Source)
            .await?;
        links.push((
            source,
            c.opt_text(&format!("{field}.note"), &cite.note, 1000),
        ));
    }
    c.finish()?;
    Ok(links)
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

/// Inserts a record (a draft, or published at once); returns the row as it then stands.
async fn insert_record<I: RecordInput, C: ConnectionTrait>(
    db: &C,
    input: &I,
    editor: Option<i64>,
    sources: &[Cite],
    publish: bool,
) -> AppResult<ModelOf<I>> {
    let am = input.prepare(db, None).await?;
    let links = citations(db, sources).await?;
    let mut am = am;
    // A placeholder until the rule has read its citations, a few statements below.
    am.set(
        I::Entity::confidence_column(),
        Confidence::Unconfirmed.into(),
    );
    let model = records::insert::<I::Entity, _>(db, am, editor).await?;
    input.write_lists(db, &model, None).await?;
    let (kind, id) = (I::Entity::KIND, I::Entity::id_of(&model));
    for (source, note) in links {
        editing::link_source(db, kind, id, source, note).await?;
    }
    confidence::refresh(db, kind, id).await?;
    if publish {
        editing::check_publishable(db, kind, id).await?;
        records::publish_new::<I::Entity, _>(db, id).await?;
    }
    log_change(db, kind, id, 1, RevisionAction::Create, editor).await?;
    // The row as it now stands, with the confidence its citations gave it.
    records::existing::<I::Entity, _>(db, id).await
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
    let model = records::update_checked::<I::Entity, _>(db, id, expected, am, Some(editor)).await?;
    input.write_lists(db, &model, Some(&current)).await?;
    let kind = I::Entity::KIND;
    confidence::refresh(db, kind, id).await?;
    if kind == RecordKind::Source {
        // Its kind, publisher or URL may change what the records citing it can claim.
        confidence::refresh_citing(db, id).await?;
    }
    // The row as it now stands (the refresh may have changed its confidence).
    let model = records::existing::<I::Entity, _>(db, id).await?;
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

/// Brings a record that only the shipped dataset ever wrote up to the dataset's current
/// text: the same validation and writes as `update…`, its citations made the dataset's, an
/// archived record published again, and an UPDATE revision by no editor. Writes nothing and
/// returns false when the record already matches. The caller runs it in a savepoint, so
/// that a record that matches leaves nothing behind.
pub async fn replace_from_dataset<I: RecordInput, C: ConnectionTrait>(
    db: &C,
    id: i64,
    input: &I,
    sources: &[Cite],
) -> AppResult<bool> {
    let kind = I::Entity::KIND;
    let current = records::existing::<I::Entity, _>(db, id).await?;
    let before = super::snapshot::take(db, kind, id).await?;
    let am = input.prepare(db, Some(&current)).await?;
    let links = citations(db, sources).await?;
    let version = I::Entity::version_of(&current);
    let model = records::update_checked::<I::Entity, _>(db, id, version, am, None).await?;
    input.write_lists(db, &model, Some(&current)).await?;
    editing::replace_citations(db, kind, id, &links).await?;
    confidence::refresh(db, kind, id).await?;
    if I::Entity::status_of(&current) != entity::enums::RecordStatus::Published {
        editing::check_publishable(db, kind, id).await?;
        records::publish_new::<I::Entity, _>(db, id).await?;
    }
    let after = super::snapshot::take(db, kind, id).await?;
    if same_content(&before, &after) {
        return Ok(false);
    }
    if kind == RecordKind::Source {
        confidence::refresh_citing(db, id).await?;
    }
    let version = records::version_of(db, kind, id).await?;
    log_change(db, kind, id, version, RevisionAction::Update, None).await?;
    Ok(true)
}

/// Two snapshots of one record say the same, whatever their version and stamps, and
/// whatever the row ids of its own lists (which a rewrite of the lists renews).
fn same_content(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        if let Some(snapshot) = v.as_object_mut() {
            for (key, value) in snapshot.iter_mut() {
                if key == "record" {
                    if let Some(record) = value.as_object_mut() {
                        for stamp in ["version", "updated_at", "updated_by"] {
                            record.remove(stamp);
                        }
                    }
                } else if let Some(rows) = value.as_array_mut() {
                    for row in rows.iter_mut().filter_map(|r| r.as_object_mut()) {
                        row.remove("id");
                    }
                }
            }
        }
        v
    };
    strip(a) == strip(b)
}
