//! The dataset shipped with Exodus (`data/seed.json`) and its idempotent loader.
//!
//! Every record goes through the editors' path: it is read into the same input as its
//! `create…` mutation (references by slug instead of global id) and written by the same
//! service function, with the same validation; its sources are attached and the publishing
//! rule is checked as `attachSource` and `publish` do. Each record gets one CREATE revision
//! at version 1, by no editor.
//!
//! `load` only adds: a record whose slug exists is left as it is. `sync` (the built-in
//! dataset, at the first start of a release whose dataset changed, or `exodus seed` without a
//! file) also brings an existing record up to the dataset's text if it came from the dataset
//! and no editor has ever changed it (its revisions are all by no editor), with an UPDATE
//! revision by no editor, so that a correction in a new release reaches existing deployments
//! and their subscribers; and it archives, on the same terms, the records the dataset lists
//! as `withdrawn`. A record an editor has touched is left as the editor left it. A second
//! run changes nothing.
//! `exodus seed --check` loads a dataset into a throwaway database and reports every problem
//! with its record's slug.

mod audit;

use crate::error::AppError;
use crate::service::curated::Curated;
use crate::service::inputs::*;
use crate::service::records;
use entity::enums::RecordKind;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, EntityTrait, QuerySelect, TransactionTrait,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The dataset built into the binary.
pub const BUILTIN: &str = include_str!("../../../data/seed.json");

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
    /// Records an earlier release held and this one withdraws (see data/CHANGELOG.md).
    #[serde(default)]
    withdrawn: Vec<Withdrawn>,
}

/// A record the dataset withdrew, and why.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Withdrawn {
    kind: RecordKind,
    slug: String,
    /// Why, in a sentence (for the reader of the file; data/CHANGELOG.md tells the story).
    #[allow(dead_code)]
    reason: String,
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

/// How many records of each kind a load inserted, updated from the dataset, and archived
/// because the dataset no longer holds them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub inserted: Vec<(RecordKind, usize)>,
    pub updated: Vec<(RecordKind, usize)>,
    pub archived: Vec<(RecordKind, usize)>,
}

fn bump(counts: &mut Vec<(RecordKind, usize)>, kind: RecordKind) {
    match counts.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, n)) => *n += 1,
        None => counts.push((kind, 1)),
    }
}

fn sum(counts: &[(RecordKind, usize)]) -> usize {
    counts.iter().map(|(_, n)| n).sum()
}

fn listed(counts: &[(RecordKind, usize)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(k, n)| format!("{} {}", n, k.as_str().to_lowercase()))
        .collect();
    parts.join(", ")
}

impl SeedReport {
    /// Records inserted.
    pub fn total(&self) -> usize {
        sum(&self.inserted)
    }

    /// Records updated from the dataset.
    pub fn total_updated(&self) -> usize {
        sum(&self.updated)
    }

    /// Records archived because the dataset dropped them.
    pub fn total_archived(&self) -> usize {
        sum(&self.archived)
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "inserted {} records ({})",
            self.total(),
            listed(&self.inserted)
        )?;
        if !self.updated.is_empty() {
            let n = self.total_updated();
            write!(
                f,
                "; updated {n} from the dataset ({})",
                listed(&self.updated)
            )?;
        }
        if !self.archived.is_empty() {
            let n = self.total_archived();
            write!(
                f,
                "; archived {n} the dataset dropped ({})",
                listed(&self.archived)
            )?;
        }
        Ok(())
    }
}

/// Parses a dataset; the error names the line and column of the problem. The records
/// themselves are read one by one as they are loaded, so that a problem names its record.
pub fn parse(text: &str) -> anyhow::Result<Dataset> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("the seed file is not valid: {e}"))
}

/// Loads the dataset in one transaction, inserting what is missing; stops at the first
/// problem and writes nothing then.
pub async fn load(db: &DatabaseConnection, data: &Dataset) -> anyhow::Result<SeedReport> {
    commit_run(db, data, false).await
}

/// Loads the dataset as `load` does, and also updates what only the dataset ever wrote and
/// archives what it withdrew (see the module's doc).
pub async fn sync(db: &DatabaseConnection, data: &Dataset) -> anyhow::Result<SeedReport> {
    commit_run(db, data, true).await
}

async fn commit_run(
    db: &DatabaseConnection,
    data: &Dataset,
    sync: bool,
) -> anyhow::Result<SeedReport> {
    let tx = db.begin().await?;
    let (report, problems) = Seeder::run(&tx, data, false, sync).await?;
    if let Some(problem) = problems.first() {
        anyhow::bail!(
            "the dataset is not valid: {problem} (`exodus seed --check` lists every problem)"
        );
    }
    tx.commit().await?;
    Ok(report)
}

/// The setting that names the built-in dataset a database was last loaded with.
const BUILTIN_SETTING: &str = "builtin_dataset";

/// Loads the built-in dataset unless this database was last loaded with this very text: on a
/// new database that seeds it, and on the first start of a release whose dataset changed it
/// brings in the corrections. Returns what it did, or None when nothing was due.
pub async fn load_builtin_if_changed(
    db: &DatabaseConnection,
) -> anyhow::Result<Option<SeedReport>> {
    use sha2::{Digest, Sha256};
    let digest = format!("{:x}", Sha256::digest(BUILTIN.as_bytes()));
    // A cheap look first, so that a server restarting on its own release takes no lock.
    if crate::db::setting(db, BUILTIN_SETTING).await?.as_deref() == Some(digest.as_str()) {
        return Ok(None);
    }
    let data = parse(BUILTIN)?;
    let tx = db.begin().await?;
    crate::service::editing::writers_turn(&tx)
        .await
        .map_err(fault)?;
    // Another replica may have loaded it while this one waited for the turn.
    if crate::db::setting(&tx, BUILTIN_SETTING).await?.as_deref() == Some(digest.as_str()) {
        tx.rollback().await?;
        return Ok(None);
    }
    let (report, problems) = Seeder::run(&tx, &data, false, true).await?;
    if let Some(problem) = problems.first() {
        anyhow::bail!("the built-in dataset is not valid: {problem}");
    }
    crate::db::set_setting(&tx, BUILTIN_SETTING, &digest).await?;
    tx.commit().await?;
    Ok(Some(report))
}

/// What `check` found: what a load would insert, the problems that fail the check, and the
/// notices that only inform (statuses the calendar has overtaken).
pub struct CheckReport {
    pub report: SeedReport,
    pub problems: Vec<Problem>,
    pub notices: Vec<Problem>,
}

/// Loads the dataset into a throwaway in-memory database, as `load` would into an empty one,
/// and returns what it would insert and every problem it met: the editors' validation, then
/// the dataset's own standard (`audit`), as of `today`.
pub async fn check(data: &Dataset, today: chrono::NaiveDate) -> anyhow::Result<CheckReport> {
    let (db, _, _) =
        crate::db::connect("sqlite::memory:", 1, std::time::Duration::from_secs(30)).await?;
    crate::db::migrate(&db).await?;
    let tx = db.begin().await?;
    let (report, mut problems) = Seeder::run(&tx, data, true, false).await?;
    for w in &data.withdrawn {
        let held = |raws: &[Raw]| {
            raws.iter()
                .any(|r| r.get("slug").and_then(Value::as_str) == Some(w.slug.as_str()))
        };
        let lists: [(RecordKind, &[Raw]); 8] = [
            (RecordKind::Source, &data.sources),
            (RecordKind::Organization, &data.organizations),
            (RecordKind::Instrument, &data.instruments),
            (RecordKind::Withdrawal, &data.withdrawals),
            (RecordKind::Stakeholder, &data.stakeholders),
            (RecordKind::Pact, &data.pacts),
            (RecordKind::Reaction, &data.reactions),
            (RecordKind::Correction, &data.corrections),
        ];
        if lists.iter().any(|(k, raws)| *k == w.kind && held(raws)) {
            problems.push(Problem {
                kind: w.kind,
                slug: w.slug.clone(),
                field: None,
                message: "is listed as withdrawn and also held".into(),
            });
        }
    }
    let (found, notices) = audit::audit(&tx, today).await?;
    problems.extend(found);
    tx.rollback().await?;
    Ok(CheckReport {
        report,
        problems,
        notices,
    })
}

struct Seeder<'a> {
    db: &'a DatabaseTransaction,
    keep_going: bool,
    /// Whether existing records are brought up to the dataset (see the module's doc).
    sync: bool,
    report: SeedReport,
    problems: Vec<Problem>,
    /// The records some editor has changed: the dataset leaves them alone.
    touched: HashSet<(RecordKind, i64)>,
}

impl<'a> Seeder<'a> {
    async fn run(
        db: &'a DatabaseTransaction,
        data: &Dataset,
        keep_going: bool,
        sync: bool,
    ) -> anyhow::Result<(SeedReport, Vec<Problem>)> {
        crate::service::editing::writers_turn(db)
            .await
            .map_err(fault)?;
        let mut s = Seeder {
            db,
            keep_going,
            sync,
            report: SeedReport::default(),
            problems: Vec::new(),
            touched: touched_by_editors(db).await.map_err(fault)?,
        };
        s.kind::<SourceInput>(&data.sources).await?;
        s.kind::<OrganizationInput>(&data.organizations).await?;
        s.kind::<InstrumentInput>(&data.instruments).await?;
        s.kind::<WithdrawalInput>(&data.withdrawals).await?;
        s.kind::<StakeholderInput>(&data.stakeholders).await?;
        s.kind::<PactInput>(&data.pacts).await?;
        s.kind::<ReactionInput>(&data.reactions).await?;
        s.kind::<CorrectionInput>(&data.corrections).await?;
        if s.sync && s.problems.is_empty() {
            for w in &data.withdrawn {
                crate::service::curated::for_kind!(w.kind, K => s.withdraw::<K>(&w.slug).await?);
            }
        }
        Ok((s.report, s.problems))
    }

    /// Archives a record the dataset withdrew, if the dataset made it, it is published, and
    /// no editor touched it.
    async fn withdraw<E: Curated>(&mut self, slug: &str) -> anyhow::Result<()> {
        let Some(id) = records::id_by_slug(self.db, E::KIND, slug)
            .await
            .map_err(fault)?
        else {
            return Ok(());
        };
        let model = records::existing::<E, _>(self.db, id)
            .await
            .map_err(fault)?;
        if E::status_of(&model) != entity::enums::RecordStatus::Published
            || self.touched.contains(&(E::KIND, id))
            || E::created_by(&model).is_some()
        {
            return Ok(());
        }
        let archived = entity::enums::RecordStatus::Archived;
        let version = E::version_of(&model);
        crate::service::editing::set_status_by::<E, _>(self.db, id, version, archived, None)
            .await
            .map_err(fault)?;
        bump(&mut self.report.archived, E::KIND);
        Ok(())
    }

    /// Creates each record of one kind that does not exist yet, each in a savepoint so that
    /// a record with problems leaves nothing behind.
    async fn kind<I: RecordInput + DeserializeOwned>(
        &mut self,
        raws: &[Raw],
    ) -> anyhow::Result<()> {
        let kind = I::Entity::KIND;
        // The records already there, in one read: updated only if no editor touched them.
        let existing = records::ids_by_slug::<I::Entity, _>(self.db)
            .await
            .map_err(fault)?;
        for raw in raws {
            let slug = raw
                .get("slug")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let present = existing.get(&slug).copied();
            if present.is_some_and(|id| !self.sync || self.touched.contains(&(kind, id))) {
                continue;
            }
            let (input, cites) = match entry::<I>(kind, raw) {
                Ok(read) => read,
                Err(message) => {
                    self.problem(kind, &slug, None, message)?;
                    continue;
                }
            };
            let savepoint = self.db.begin().await?;
            let written = match present {
                None => create_published(&savepoint, &input, &cites)
                    .await
                    .map(|_| true),
                Some(id) => replace_from_dataset(&savepoint, id, &input, &cites).await,
            };
            match written {
                Ok(true) => {
                    savepoint.commit().await?;
                    let counts = if present.is_some() {
                        &mut self.report.updated
                    } else {
                        &mut self.report.inserted
                    };
                    bump(counts, kind);
                }
                Ok(false) => savepoint.rollback().await?,
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

/// Reads one record: its input, and its citations. What the API's inputs leave to the record
/// on an update (a source's kind and document flag), the dataset states: left out, they take
/// their defaults, so that the dataset's text is the whole truth when it updates a record.
fn entry<I: DeserializeOwned>(kind: RecordKind, raw: &Raw) -> Result<(I, Vec<Cite>), String> {
    let mut raw = raw.clone();
    if kind == RecordKind::Source {
        raw.entry("publisherKind").or_insert_with(|| "NEWS".into());
        raw.entry("pointsToDocument").or_insert(Value::Bool(true));
    }
    let cites = match raw.remove("sources") {
        Some(list) => serde_json::from_value(list).map_err(|e| format!("sources: {e}"))?,
        None => Vec::new(),
    };
    let input = serde_json::from_value(Value::Object(raw)).map_err(|e| e.to_string())?;
    Ok((input, cites))
}

/// The records whose revisions name an editor: someone curated them, and the dataset leaves
/// them as they are.
async fn touched_by_editors(
    db: &DatabaseTransaction,
) -> Result<HashSet<(RecordKind, i64)>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let rows: Vec<(RecordKind, i64)> = entity::revision::Entity::find()
        .select_only()
        .column(entity::revision::Column::RecordKind)
        .column(entity::revision::Column::RecordId)
        .filter(entity::revision::Column::EditorId.is_not_null())
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A failure that is not the dataset's: the database's.
fn fault(err: AppError) -> anyhow::Error {
    anyhow::anyhow!("loading the dataset failed: {err:?}")
}
