//! The dataset shipped with Exodus (`data/seed.json`) and its idempotent loader.
//!
//! Every record goes through the editors' path: it is read into the same input as its
//! `create…` mutation (references by slug instead of global id) and written by the same
//! service function, with the same validation; its sources are attached and the publishing
//! rule is checked as `attachSource` and `publish` do. Each record gets one CREATE revision
//! at version 1, by no editor. A record whose slug exists is left as it is, so a second run
//! changes nothing. `exodus seed --check` loads a dataset into a throwaway database and
//! reports every problem with its record's slug.

use crate::error::AppError;
use crate::service::curated::Curated;
use crate::service::inputs::*;
use crate::service::records;
use entity::enums::RecordKind;
use entity::organization;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, EntityTrait, QuerySelect, TransactionTrait,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The dataset built into the binary.
pub const BUILTIN: &str = include_str!("../../data/seed.json");

/// One record of the dataset as written: its input's fields plus `sources`, the citations.
type Raw = Map<String, Value>;

/// The dataset, kind by kind, in the order records can refer to each other.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataset {
    sources: Vec<Raw>,
    organizations: Vec<Raw>,
    instruments: Vec<Raw>,
    withdrawals: Vec<Raw>,
    stakeholders: Vec<Raw>,
    pacts: Vec<Raw>,
    reactions: Vec<Raw>,
    corrections: Vec<Raw>,
}

/// One thing wrong with a record of the dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: RecordKind,
    pub slug: String,
    /// The field at fault, in the dataset's (and the API's) camelCase, if one is.
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.kind.as_str().to_lowercase();
        match &self.field {
            Some(field) => write!(f, "{kind} {:?}: {field} {}", self.slug, self.message),
            None => write!(f, "{kind} {:?}: {}", self.slug, self.message),
        }
    }
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

    fn count(&mut self, kind: RecordKind) {
        match self.inserted.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => self.inserted.push((kind, 1)),
        }
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

/// Parses a dataset; the error names the line and column of the problem. The records
/// themselves are read one by one as they are loaded, so that a problem names its record.
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

/// Loads the dataset, inserting what is missing, in one transaction; stops at the first
/// problem and writes nothing then.
pub async fn load(db: &DatabaseConnection, data: &Dataset) -> anyhow::Result<SeedReport> {
    let tx = db.begin().await?;
    let (report, problems) = Seeder::run(&tx, data, false).await?;
    if let Some(problem) = problems.first() {
        anyhow::bail!(
            "the dataset is not valid: {problem} (`exodus seed --check` lists every problem)"
        );
    }
    tx.commit().await?;
    Ok(report)
}

/// Loads the dataset into a throwaway in-memory database, as `load` would into an empty one,
/// and returns what it would insert and every problem it met.
pub async fn check(data: &Dataset) -> anyhow::Result<(SeedReport, Vec<Problem>)> {
    let (db, _) =
        crate::db::connect("sqlite::memory:", 1, std::time::Duration::from_secs(30)).await?;
    crate::db::migrate(&db).await?;
    let tx = db.begin().await?;
    let result = Seeder::run(&tx, data, true).await?;
    tx.rollback().await?;
    Ok(result)
}

struct Seeder<'a> {
    db: &'a DatabaseTransaction,
    keep_going: bool,
    report: SeedReport,
    problems: Vec<Problem>,
}

impl<'a> Seeder<'a> {
    async fn run(
        db: &'a DatabaseTransaction,
        data: &Dataset,
        keep_going: bool,
    ) -> anyhow::Result<(SeedReport, Vec<Problem>)> {
        let mut s = Seeder {
            db,
            keep_going,
            report: SeedReport::default(),
            problems: Vec::new(),
        };
        s.kind::<SourceInput>(&data.sources).await?;
        s.kind::<OrganizationInput>(&data.organizations).await?;
        s.kind::<InstrumentInput>(&data.instruments).await?;
        s.kind::<WithdrawalInput>(&data.withdrawals).await?;
        s.kind::<StakeholderInput>(&data.stakeholders).await?;
        s.kind::<PactInput>(&data.pacts).await?;
        s.kind::<ReactionInput>(&data.reactions).await?;
        s.kind::<CorrectionInput>(&data.corrections).await?;
        Ok((s.report, s.problems))
    }

    /// Creates each record of one kind that does not exist yet, each in a savepoint so that
    /// a record with problems leaves nothing behind.
    async fn kind<I: RecordInput + DeserializeOwned>(
        &mut self,
        raws: &[Raw],
    ) -> anyhow::Result<()> {
        let kind = I::Entity::KIND;
        // The slugs already there, in one read: their records are left as they are.
        let existing = records::slugs::<I::Entity, _>(self.db)
            .await
            .map_err(fault)?;
        for raw in raws {
            let slug = raw
                .get("slug")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if existing.contains(&slug) {
                continue;
            }
            let (input, cites) = match entry::<I>(raw) {
                Ok(read) => read,
                Err(message) => {
                    self.problem(kind, &slug, None, message)?;
                    continue;
                }
            };
            let savepoint = self.db.begin().await?;
            match create_published(&savepoint, &input, &cites).await {
                Ok(_) => {
                    savepoint.commit().await?;
                    self.report.count(kind);
                }
                Err(AppError::BadUserInput { message, fields }) => {
                    savepoint.rollback().await?;
                    if fields.is_empty() {
                        self.problem(kind, &slug, None, message)?;
                    }
                    for f in fields {
                        self.problem(kind, &slug, Some(f.field), f.message)?;
                    }
                }
                Err(other) => return Err(fault(other)),
            }
        }
        Ok(())
    }

    fn problem(
        &mut self,
        kind: RecordKind,
        slug: &str,
        field: Option<String>,
        message: String,
    ) -> anyhow::Result<()> {
        let slug = slug.to_owned();
        let problem = Problem {
            kind,
            slug,
            field,
            message,
        };
        if !self.keep_going {
            anyhow::bail!(
                "the dataset is not valid: {problem} (`exodus seed --check` lists every problem)"
            );
        }
        self.problems.push(problem);
        Ok(())
    }
}

/// Reads one record: its input, and its citations.
fn entry<I: DeserializeOwned>(raw: &Raw) -> Result<(I, Vec<Cite>), String> {
    let mut raw = raw.clone();
    let cites = match raw.remove("sources") {
        Some(list) => serde_json::from_value(list).map_err(|e| format!("sources: {e}"))?,
        None => Vec::new(),
    };
    let input = serde_json::from_value(Value::Object(raw)).map_err(|e| e.to_string())?;
    Ok((input, cites))
}

/// A failure that is not the dataset's: the database's.
fn fault(err: AppError) -> anyhow::Error {
    anyhow::anyhow!("loading the dataset failed: {err:?}")
}
