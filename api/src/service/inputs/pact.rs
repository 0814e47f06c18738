use super::RecordRef;
use super::{Check, RecordInput};
use crate::error::AppResult;
use crate::service::children::{PactLists, RecordLists};
use chrono::NaiveDate;
use chrono::Utc;
use entity::enums::*;
use entity::{pact, pact_party, pact_replacement, pact_status_change};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;

/// A party to a pact.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PactPartyInput {
    /// The party's name.
    pub name: String,
    /// Its ISO 3166 alpha-2 code.
    pub code: String,
    /// Its role.
    pub role: PartyRole,
    /// When it joined.
    pub joined_on: Option<NaiveDate>,
}

/// A claim that the pact replaces a withdrawal or an organization: give exactly one.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PactReplacementInput {
    /// The organization it is said to replace (global id).
    pub organization_id: Option<RecordRef>,
    /// The withdrawal whose loss it is said to make up for (global id).
    pub withdrawal_id: Option<RecordRef>,
    /// Who makes the claim and how it stands, in our words.
    pub note: Option<String>,
    /// How well the claim is supported.
    #[serde(default = "super::unconfirmed")]
    pub confidence: Confidence,
}

/// One step of a pact's status history.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusStep {
    /// The status it reached.
    pub pact_status: PactStatus,
    /// When.
    pub on: NaiveDate,
    /// What happened, in our words.
    pub note: Option<String>,
}

/// The editable state of a pact. A change of `pactStatus` adds a step to its status history.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PactInput {
    /// The stable key people link to.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Bilateral, plurilateral or private.
    pub kind: PactKind,
    /// Where it stands.
    pub pact_status: PactStatus,
    /// When it reached `pactStatus`, if this input changes it (default: today).
    pub status_changed_on: Option<NaiveDate>,
    /// What happened, for the status history, if this input changes the status.
    pub status_note: Option<String>,
    /// Whether it binds its parties in law.
    #[serde(default)]
    pub binding: bool,
    /// When it was signed.
    pub signed_on: Option<NaiveDate>,
    /// What it covers, in our words.
    pub summary: String,
    /// Topic keywords.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Its parties.
    #[serde(default)]
    pub parties: Vec<PactPartyInput>,
    /// What it is said to replace.
    #[serde(default)]
    pub replaces: Vec<PactReplacementInput>,
    /// An editor's ceiling: the most the record may claim when it deserves less than its
    /// sources support (the rule computes the confidence; this can only lower it).
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// Why the record claims less than its sources support; required with `confidence`.
    #[serde(default)]
    pub confidence_note: Option<String>,
    /// Set by the API when `confidence` was left out of an update: keep the record's ceiling.
    /// (The dataset always states it: left out there means none.)
    #[serde(skip)]
    pub keep_ceiling: bool,
    /// The whole status history, oldest first, ending at `pactStatus`, instead of a step
    /// derived from `statusChangedOn`/`statusNote` (the dataset gives it whole; the API
    /// does not offer it).
    #[serde(default)]
    pub status_history: Option<Vec<StatusStep>>,
}

impl PactInput {
    /// Checks a whole status history and returns its rows.
    fn history_rows(&self, c: &mut Check, steps: &[StatusStep]) -> Vec<pact_status_change::Model> {
        if steps.is_empty() || steps.len() > 100 {
            c.fail("statusHistory", "give between 1 and 100 steps");
        }
        if steps
            .last()
            .is_some_and(|s| s.pact_status != self.pact_status)
        {
            c.fail(
                "statusHistory",
                "must end with the pact's status (pactStatus)",
            );
        }
        for (i, pair) in steps.windows(2).enumerate() {
            let field = format!("statusHistory[{}].on", i + 1);
            c.not_before(
                &field,
                Some(pair[1].on),
                Some(pair[0].on),
                "the step before",
            );
        }
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| pact_status_change::Model {
                id: 0,
                pact_id: 0,
                pact_status: s.pact_status,
                changed_on: s.on,
                note: c.opt_text(&format!("statusHistory[{i}].note"), &s.note, 2000),
            })
            .collect()
    }

    async fn replacement_rows<C: ConnectionTrait>(
        &self,
        db: &C,
        c: &mut Check,
    ) -> AppResult<Vec<pact_replacement::Model>> {
        let mut rows = Vec::new();
        for (i, r) in self.replaces.iter().enumerate() {
            let field = format!("replaces[{i}]");
            let (organization_id, withdrawal_id) = match (&r.organization_id, &r.withdrawal_id) {
                (Some(o), None) => (
                    Some(c.reference(db, &field, o, RecordKind::Organization).await?),
                    None,
                ),
                (None, Some(w)) => (
                    None,
                    Some(c.reference(db, &field, w, RecordKind::Withdrawal).await?),
                ),
                _ => {
                    c.fail(
                        &field,
                        "give exactly one of organizationId and withdrawalId",
                    );
                    (None, None)
                }
            };
            let note = c.opt_text(&format!("{field}.note"), &r.note, 2000);
            rows.push(pact_replacement::Model {
                id: 0,
                pact_id: 0,
                organization_id,
                withdrawal_id,
                note,
                confidence: r.confidence,
            });
        }
        Ok(rows)
    }

    fn party_rows(&self, c: &mut Check) -> Vec<pact_party::Model> {
        if self.parties.len() > 200 {
            c.fail("parties", "at most 200 parties");
        }
        self.parties
            .iter()
            .enumerate()
            .map(|(i, p)| pact_party::Model {
                id: 0,
                pact_id: 0,
                name: c.text(&format!("parties[{i}].name"), &p.name, 200),
                code: c
                    .country(&format!("parties[{i}].code"), &Some(p.code.clone()))
                    .unwrap_or_default(),
                role: p.role,
                joined_on: p.joined_on,
            })
            .collect()
    }
}

impl PactInput {
    /// The history as it stands, plus a step when this input changes the status.
    async fn next_history<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i64,
        before: Option<&pact::Model>,
    ) -> AppResult<Vec<pact_status_change::Model>> {
        let mut history = pact_status_change::Entity::find()
            .filter(pact_status_change::Column::PactId.eq(id))
            .order_by_asc(pact_status_change::Column::Id)
            .all(db)
            .await?;
        if before.map(|b| b.pact_status) != Some(self.pact_status) {
            history.push(pact_status_change::Model {
                id: 0,
                pact_id: id,
                pact_status: self.pact_status,
                changed_on: self
                    .status_changed_on
                    .unwrap_or_else(|| Utc::now().date_naive()),
                note: self.status_note.clone().filter(|n| !n.trim().is_empty()),
            });
        }
        Ok(history)
    }
}

impl RecordInput for PactInput {
    type Entity = pact::Entity;

    async fn prepare<C: ConnectionTrait>(
        &self,
        db: &C,
        current: Option<&pact::Model>,
    ) -> AppResult<pact::ActiveModel> {
        let mut c = Check::default();
        c.keywords("topics", &self.topics);
        self.party_rows(&mut c);
        self.replacement_rows(db, &mut c).await?;
        c.opt_text("statusNote", &self.status_note, 2000);
        if let Some(steps) = &self.status_history {
            self.history_rows(&mut c, steps);
        }
        let (ceiling, ceiling_note) = super::ceiling(
            &mut c,
            self.confidence,
            &self.confidence_note,
            self.keep_ceiling,
            current.map(|r| (r.confidence_ceiling, r.confidence_note.clone())),
        );
        let am = pact::ActiveModel {
            slug: Set(c.slug(&self.slug)),
            title: Set(c.text("title", &self.title, 300)),
            kind: Set(self.kind),
            pact_status: Set(self.pact_status),
            binding: Set(self.binding),
            signed_on: Set(self.signed_on),
            summary: Set(c.text("summary", &self.summary, 5000)),
            confidence_ceiling: Set(ceiling),
            confidence_note: Set(ceiling_note),
            ..Default::default()
        };
        c.finish()?;
        Ok(am)
    }

    async fn write_lists<C: ConnectionTrait>(
        &self,
        db: &C,
        saved: &pact::Model,
        before: Option<&pact::Model>,
    ) -> AppResult<()> {
        let mut c = Check::default();
        let topics = c.keywords("topics", &self.topics);
        let parties = self.party_rows(&mut c);
        let replaces = self.replacement_rows(db, &mut c).await?;
        let history = match &self.status_history {
            Some(steps) => self.history_rows(&mut c, steps),
            None => self.next_history(db, saved.id, before).await?,
        };
        c.finish()?;
        PactLists {
            topics,
            parties,
            status_history: history,
            replaces,
        }
        .replace(db, saved.id)
        .await
    }
}
