//! The dataset shipped with Exodus (`data/seed.json`) and its idempotent loader.
//!
//! Records reference each other by slug. Loading inserts what is missing, in one transaction,
//! with a CREATE revision for each record; a record whose slug exists is left untouched, so a
//! second run changes nothing.

use crate::service::revision::record_revision;
use chrono::{NaiveDate, Utc};
use entity::enums::*;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect, Set,
    TransactionTrait,
};
use serde::Deserialize;
use std::collections::HashMap;

/// The dataset built into the binary.
pub const BUILTIN: &str = include_str!("../../data/seed.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataset {
    pub sources: Vec<Source>,
    pub organizations: Vec<Organization>,
    pub instruments: Vec<Instrument>,
    pub withdrawals: Vec<Withdrawal>,
    pub stakeholders: Vec<Stakeholder>,
    pub reactions: Vec<Reaction>,
    pub pacts: Vec<Pact>,
    pub corrections: Vec<Correction>,
}

#[derive(Deserialize)]
pub struct SourceRef {
    pub source: String,
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub retrieved_on: Option<NaiveDate>,
    #[serde(default)]
    pub is_mirror: bool,
    pub note: Option<String>,
    pub confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub slug: String,
    pub name: String,
    pub acronym: Option<String>,
    pub kind: OrganizationKind,
    #[serde(default)]
    pub categories: Vec<String>,
    pub digital_relevance: DigitalRelevance,
    pub list_section: Option<ListSection>,
    pub list_position: Option<i32>,
    #[serde(default)]
    pub hosted_by_un: bool,
    pub headquarters: Option<String>,
    pub website: Option<String>,
    pub description: String,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instrument {
    pub slug: String,
    pub kind: InstrumentKind,
    pub number: Option<String>,
    pub title: String,
    pub signed_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub federal_register_citation: Option<String>,
    pub url: Option<String>,
    pub summary: String,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawal {
    pub slug: String,
    pub organization: String,
    pub instrument: String,
    pub announced_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub withdrawal_status: WithdrawalStatus,
    #[serde(default)]
    pub funding_ended: bool,
    pub rationale: Option<String>,
    pub expected_impact: Option<String>,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stakeholder {
    pub slug: String,
    pub name: String,
    pub kind: StakeholderKind,
    pub country: Option<String>,
    pub affiliation: Option<String>,
    pub organization: Option<String>,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

#[derive(Deserialize)]
pub struct KindSlug {
    pub kind: String,
    pub slug: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reaction {
    pub slug: String,
    pub stakeholder: String,
    pub subject: KindSlug,
    pub stance: Stance,
    pub summary: String,
    pub reacted_on: NaiveDate,
    #[serde(default)]
    pub date_approximate: bool,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub name: String,
    pub code: String,
    pub role: PartyRole,
    pub joined_on: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusStep {
    pub pact_status: PactStatus,
    pub on: NaiveDate,
    pub note: Option<String>,
}

#[derive(Deserialize)]
pub struct Replacement {
    pub kind: String,
    pub slug: String,
    pub note: Option<String>,
    pub confidence: Confidence,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pact {
    pub slug: String,
    pub title: String,
    pub kind: PactKind,
    pub pact_status: PactStatus,
    pub binding: bool,
    pub signed_on: Option<NaiveDate>,
    pub summary: String,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub parties: Vec<Party>,
    #[serde(default)]
    pub status_history: Vec<StatusStep>,
    #[serde(default)]
    pub replaces: Vec<Replacement>,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    pub slug: String,
    pub claim: String,
    pub claimed_in: String,
    pub claim_source: Option<String>,
    pub verdict: Verdict,
    pub finding: String,
    pub concerns: Vec<KindSlug>,
    pub confidence: Confidence,
    pub sources: Vec<SourceRef>,
}

/// How many records of each kind a load inserted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub inserted: Vec<(RecordKind, usize)>,
}

impl SeedReport {
    pub fn total(&self) -> usize {
        self.inserted.iter().map(|(_, n)| n).sum()
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .inserted
            .iter()
            .map(|(k, n)| format!("{} {}", n, k.as_str().to_lowercase()))
            .collect();
        write!(
            f,
            "inserted {} records ({})",
            self.total(),
            parts.join(", ")
        )
    }
}

/// Parses a dataset; the error names the line and column of the problem.
pub fn parse(text: &str) -> anyhow::Result<Dataset> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("the seed file is not valid: {e}"))
}

/// True when the database holds no organization yet.
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_none())
}

/// Loads the dataset, inserting what is missing, in one transaction.
pub async fn load(db: &DatabaseConnection, data: &Dataset) -> anyhow::Result<SeedReport> {
    let tx = db.begin().await?;
    let report = Loader::new(&tx).await?.run(data).await?;
    tx.commit().await?;
    Ok(report)
}

/// Slug → id of every record of each kind, filled as records are found or inserted.
struct Loader<'a, C> {
    db: &'a C,
    ids: HashMap<RecordKind, HashMap<String, i64>>,
    report: SeedReport,
}

macro_rules! existing_slugs {
    ($db:expr, $module:ident) => {
        $module::Entity::find()
            .select_only()
            .column($module::Column::Slug)
            .column($module::Column::Id)
            .into_tuple::<(String, i64)>()
            .all($db)
            .await?
            .into_iter()
            .collect::<HashMap<String, i64>>()
    };
}

impl<'a, C: ConnectionTrait> Loader<'a, C> {
    async fn new(db: &'a C) -> anyhow::Result<Self> {
        let mut ids = HashMap::new();
        ids.insert(RecordKind::Source, existing_slugs!(db, source));
        ids.insert(RecordKind::Organization, existing_slugs!(db, organization));
        ids.insert(RecordKind::Instrument, existing_slugs!(db, instrument));
        ids.insert(RecordKind::Withdrawal, existing_slugs!(db, withdrawal));
        ids.insert(RecordKind::Stakeholder, existing_slugs!(db, stakeholder));
        ids.insert(RecordKind::Reaction, existing_slugs!(db, reaction));
        ids.insert(RecordKind::Pact, existing_slugs!(db, pact));
        ids.insert(RecordKind::Correction, existing_slugs!(db, correction));
        Ok(Self {
            db,
            ids,
            report: SeedReport::default(),
        })
    }

    fn id(&self, kind: RecordKind, slug: &str) -> anyhow::Result<i64> {
        self.ids[&kind].get(slug).copied().ok_or_else(|| {
            anyhow::anyhow!(
                "the seed file refers to an unknown {} {slug:?}",
                kind.as_str().to_lowercase()
            )
        })
    }

    fn exists(&self, kind: RecordKind, slug: &str) -> bool {
        self.ids[&kind].contains_key(slug)
    }

    fn kind_of(name: &str) -> anyhow::Result<RecordKind> {
        Ok(match name {
            "organization" => RecordKind::Organization,
            "instrument" => RecordKind::Instrument,
            "withdrawal" => RecordKind::Withdrawal,
            "stakeholder" => RecordKind::Stakeholder,
            "reaction" => RecordKind::Reaction,
            "pact" => RecordKind::Pact,
            "source" => RecordKind::Source,
            "correction" => RecordKind::Correction,
            other => anyhow::bail!("the seed file names an unknown kind {other:?}"),
        })
    }

    /// Remembers a new record, writes its CREATE revision and links its sources.
    async fn inserted<M: serde::Serialize>(
        &mut self,
        kind: RecordKind,
        slug: &str,
        id: i64,
        model: &M,
        sources: &[SourceRef],
    ) -> anyhow::Result<()> {
        self.ids
            .get_mut(&kind)
            .expect("every kind is loaded")
            .insert(slug.to_owned(), id);
        for link in sources {
            source_link::ActiveModel {
                source_id: Set(self.id(RecordKind::Source, &link.source)?),
                record_kind: Set(kind),
                record_id: Set(id),
                note: Set(link.note.clone()),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        // The same snapshot shape as editors' revisions, so any revision can be reverted to.
        let snap = crate::service::snapshot::take(self.db, kind, id)
            .await
            .map_err(|e| anyhow::anyhow!("snapshotting a seeded record failed: {}", e.message()))?;
        let _ = model;
        record_revision(self.db, kind, id, 1, RevisionAction::Create, None, &snap).await?;
        match self.report.inserted.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.report.inserted.push((kind, 1)),
        }
        Ok(())
    }

    async fn run(mut self, data: &Dataset) -> anyhow::Result<SeedReport> {
        let now = Utc::now();
        macro_rules! common {
            ($r:expr) => {{
                (
                    Set($r.slug.clone()),
                    Set(RecordStatus::Published),
                    Set($r.confidence),
                    Set(1),
                    Set(now),
                    Set(now),
                )
            }};
        }
        macro_rules! insert {
            ($module:ident, $r:expr, { $($field:ident: $value:expr),* $(,)? }) => {{
                let (slug, status, confidence, version, created_at, updated_at) = common!($r);
                $module::ActiveModel {
                    slug, status, confidence, version, created_at, updated_at,
                    $($field: Set($value),)*
                    ..Default::default()
                }
                .insert(self.db)
                .await?
            }};
        }

        for r in &data.sources {
            if self.exists(RecordKind::Source, &r.slug) {
                continue;
            }
            let m = insert!(source, r, {
                url: r.url.clone(), title: r.title.clone(), publisher: r.publisher.clone(),
                published_on: r.published_on, retrieved_on: r.retrieved_on,
                is_mirror: r.is_mirror, note: r.note.clone(),
            });
            self.inserted(RecordKind::Source, &r.slug, m.id, &m, &[])
                .await?;
        }
        for r in &data.organizations {
            if self.exists(RecordKind::Organization, &r.slug) {
                continue;
            }
            let m = insert!(organization, r, {
                name: r.name.clone(), acronym: r.acronym.clone(), kind: r.kind,
                digital_relevance: r.digital_relevance, list_section: r.list_section,
                list_position: r.list_position, hosted_by_un: r.hosted_by_un,
                headquarters: r.headquarters.clone(), website: r.website.clone(),
                description: r.description.clone(),
            });
            for category in &r.categories {
                organization_category::ActiveModel {
                    organization_id: Set(m.id),
                    category: Set(category.clone()),
                    ..Default::default()
                }
                .insert(self.db)
                .await?;
            }
            self.inserted(RecordKind::Organization, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        for r in &data.instruments {
            if self.exists(RecordKind::Instrument, &r.slug) {
                continue;
            }
            let m = insert!(instrument, r, {
                kind: r.kind, number: r.number.clone(), title: r.title.clone(),
                signed_on: r.signed_on, published_on: r.published_on,
                federal_register_citation: r.federal_register_citation.clone(),
                url: r.url.clone(), summary: r.summary.clone(),
            });
            self.inserted(RecordKind::Instrument, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        for r in &data.withdrawals {
            if self.exists(RecordKind::Withdrawal, &r.slug) {
                continue;
            }
            let m = insert!(withdrawal, r, {
                organization_id: self.id(RecordKind::Organization, &r.organization)?,
                instrument_id: self.id(RecordKind::Instrument, &r.instrument)?,
                announced_on: r.announced_on, effective_on: r.effective_on,
                withdrawal_status: r.withdrawal_status, funding_ended: r.funding_ended,
                rationale: r.rationale.clone(), expected_impact: r.expected_impact.clone(),
            });
            self.inserted(RecordKind::Withdrawal, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        for r in &data.stakeholders {
            if self.exists(RecordKind::Stakeholder, &r.slug) {
                continue;
            }
            let organization_id = match &r.organization {
                Some(slug) => Some(self.id(RecordKind::Organization, slug)?),
                None => None,
            };
            let m = insert!(stakeholder, r, {
                name: r.name.clone(), kind: r.kind, country: r.country.clone(),
                affiliation: r.affiliation.clone(), organization_id: organization_id,
            });
            self.inserted(RecordKind::Stakeholder, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        for r in &data.pacts {
            if self.exists(RecordKind::Pact, &r.slug) {
                continue;
            }
            let m = insert!(pact, r, {
                title: r.title.clone(), kind: r.kind, pact_status: r.pact_status,
                binding: r.binding, signed_on: r.signed_on, summary: r.summary.clone(),
            });
            self.pact_details(m.id, r).await?;
            self.inserted(RecordKind::Pact, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        for r in &data.reactions {
            if self.exists(RecordKind::Reaction, &r.slug) {
                continue;
            }
            let subject_kind = Self::kind_of(&r.subject.kind)?;
            let subject_id = self.id(subject_kind, &r.subject.slug)?;
            let pick = |k: RecordKind| (subject_kind == k).then_some(subject_id);
            let m = insert!(reaction, r, {
                stakeholder_id: self.id(RecordKind::Stakeholder, &r.stakeholder)?,
                subject_kind: match subject_kind {
                    RecordKind::Withdrawal => SubjectKind::Withdrawal,
                    RecordKind::Instrument => SubjectKind::Instrument,
                    RecordKind::Pact => SubjectKind::Pact,
                    other => anyhow::bail!("a reaction cannot be about a {}", other.as_str()),
                },
                withdrawal_id: pick(RecordKind::Withdrawal),
                instrument_id: pick(RecordKind::Instrument),
                pact_id: pick(RecordKind::Pact),
                stance: r.stance, summary: r.summary.clone(), reacted_on: r.reacted_on,
                date_approximate: r.date_approximate,
            });
            self.inserted(RecordKind::Reaction, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        for r in &data.corrections {
            if self.exists(RecordKind::Correction, &r.slug) {
                continue;
            }
            let claim_source_id = match &r.claim_source {
                Some(slug) => Some(self.id(RecordKind::Source, slug)?),
                None => None,
            };
            let m = insert!(correction, r, {
                claim: r.claim.clone(), claimed_in: r.claimed_in.clone(),
                claim_source_id: claim_source_id, verdict: r.verdict, finding: r.finding.clone(),
            });
            for subject in &r.concerns {
                let kind = Self::kind_of(&subject.kind)?;
                correction_subject::ActiveModel {
                    correction_id: Set(m.id),
                    record_kind: Set(kind),
                    record_id: Set(self.id(kind, &subject.slug)?),
                    ..Default::default()
                }
                .insert(self.db)
                .await?;
            }
            self.inserted(RecordKind::Correction, &r.slug, m.id, &m, &r.sources)
                .await?;
        }
        Ok(self.report)
    }

    async fn pact_details(&mut self, pact_id: i64, r: &Pact) -> anyhow::Result<()> {
        for topic in &r.topics {
            pact_topic::ActiveModel {
                pact_id: Set(pact_id),
                topic: Set(topic.clone()),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        for p in &r.parties {
            pact_party::ActiveModel {
                pact_id: Set(pact_id),
                name: Set(p.name.clone()),
                code: Set(p.code.to_uppercase()),
                role: Set(p.role),
                joined_on: Set(p.joined_on),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        for s in &r.status_history {
            pact_status_change::ActiveModel {
                pact_id: Set(pact_id),
                pact_status: Set(s.pact_status),
                changed_on: Set(s.on),
                note: Set(s.note.clone()),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        for x in &r.replaces {
            let kind = Self::kind_of(&x.kind)?;
            let target = self.id(kind, &x.slug)?;
            pact_replacement::ActiveModel {
                pact_id: Set(pact_id),
                organization_id: Set((kind == RecordKind::Organization).then_some(target)),
                withdrawal_id: Set((kind == RecordKind::Withdrawal).then_some(target)),
                note: Set(x.note.clone()),
                confidence: Set(x.confidence),
                ..Default::default()
            }
            .insert(self.db)
            .await?;
        }
        Ok(())
    }
}
