//! Confidence that follows from the evidence: the rule, and keeping every record's computed
//! confidence current as its sources change.
//!
//! The rule (also in the README):
//! - a cited source is *usable* when it is published, its URL is the document itself, and,
//!   if it is a mirror, it names the original publisher;
//! - **CONFIRMED**: a usable source is an official or primary text at its publisher's own
//!   address, or usable sources come from at least two independent publishers (a mirror,
//!   official or not, counts as its original publisher);
//! - **SINGLE_SOURCE**: usable sources come from one publisher only;
//! - **UNCONFIRMED**: no usable source.
//!
//! An editor cannot raise a record above the rule, only lower it (a *ceiling*, with a
//! reason). A source's own confidence says how well its URL gives the document: CONFIRMED
//! for the publisher's own copy, SINGLE_SOURCE for a mirror naming its original, UNCONFIRMED
//! when the URL is not the document or a mirror hides its original.
//!
//! Callers run inside the editors' writing turn (`editing::writers_turn`), so what the rule
//! reads cannot change under it before the transaction commits.

use super::curated::{for_kind, Curated};
use super::editing::log_change;
use super::records::existing;
use crate::error::AppResult;
use entity::enums::{Confidence, PublisherKind, RecordKind, RecordStatus, RevisionAction};
use entity::{source, source_link};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeSet;

/// Bumped whenever the rule changes: a server that finds another value in its database
/// recomputes every record once at start-up.
pub const RULE_VERSION: &str = "1";
const RULE_SETTING: &str = "confidence_rule";

/// A confidence with the reason for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub confidence: Confidence,
    pub reason: String,
}

/// How many steps above UNCONFIRMED a confidence is.
pub fn rank(c: Confidence) -> u8 {
    match c {
        Confidence::Unconfirmed => 0,
        Confidence::SingleSource => 1,
        Confidence::Confirmed => 2,
    }
}

/// Whether a cited source can support a claim at all: published, the document itself, and,
/// for a mirror, naming its original publisher.
fn usable(s: &source::Model) -> bool {
    s.status == RecordStatus::Published
        && s.points_to_document
        && (!s.is_mirror || s.original_publisher.is_some())
}

/// Who stands behind a source, for independence: the original publisher of a mirror, else
/// the publisher, else the URL's host.
pub fn publisher_of(s: &source::Model) -> String {
    let named = if s.is_mirror {
        s.original_publisher.as_deref()
    } else {
        s.publisher.as_deref()
    };
    match named {
        Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
        _ => host(&s.url).to_owned(),
    }
}

/// The host of an http(s) URL (what is between `//` and the next `/`, `?` or `#`).
pub fn host(url: &str) -> &str {
    let rest = url.split_once("//").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].trim_start_matches("www.")
}

/// The rule applied to the sources a record cites.
pub fn rule(cited: &[source::Model]) -> Assessment {
    let usable: Vec<&source::Model> = cited.iter().filter(|s| usable(s)).collect();
    // A copy of an official text on another host is as good as its copier: it counts as one
    // publisher (its original), like any mirror, and does not confirm on its own.
    if let Some(official) = usable
        .iter()
        .find(|s| s.publisher_kind == PublisherKind::Official && !s.is_mirror)
    {
        return Assessment {
            confidence: Confidence::Confirmed,
            reason: format!("An official or primary text: {}.", publisher_of(official)),
        };
    }
    // Publishers compared case-insensitively, shown as first written.
    let mut seen = BTreeSet::new();
    let mut publishers = Vec::new();
    for s in &usable {
        let name = publisher_of(s);
        if seen.insert(name.to_lowercase()) {
            publishers.push(name);
        }
    }
    let left_out = cited.len() - usable.len();
    let aside = match left_out {
        0 => String::new(),
        1 => " One cited source does not count (not published, not the document itself, or a mirror without its original).".into(),
        n => format!(" {n} cited sources do not count (not published, not the document itself, or mirrors without their original)."),
    };
    match publishers.len() {
        0 if cited.is_empty() => Assessment {
            confidence: Confidence::Unconfirmed,
            reason: "No published source is cited.".into(),
        },
        0 => Assessment {
            confidence: Confidence::Unconfirmed,
            reason: format!("No usable source.{aside}"),
        },
        1 => Assessment {
            confidence: Confidence::SingleSource,
            reason: format!("One publisher only: {}.{aside}", publishers[0]),
        },
        _ => Assessment {
            confidence: Confidence::Confirmed,
            reason: format!("Independent publishers: {}.{aside}", publishers.join(", ")),
        },
    }
}

/// A source's own confidence: how well its URL gives the document.
pub fn of_source(s: &source::Model) -> Assessment {
    if !s.points_to_document {
        return Assessment {
            confidence: Confidence::Unconfirmed,
            reason: "Its URL is not the document itself (a home, index or search page).".into(),
        };
    }
    if s.is_mirror {
        return match &s.original_publisher {
            Some(original) => Assessment {
                confidence: Confidence::SingleSource,
                reason: format!("A copy of {original}'s document at {}.", host(&s.url)),
            },
            None => Assessment {
                confidence: Confidence::Unconfirmed,
                reason: "A mirror that does not name its original publisher.".into(),
            },
        };
    }
    Assessment {
        confidence: Confidence::Confirmed,
        reason: format!(
            "The document at its publisher's address ({}).",
            host(&s.url)
        ),
    }
}

/// Applies an editor's ceiling: the lower of the two wins, and says so.
pub fn capped(computed: Assessment, ceiling: Option<Confidence>, note: Option<&str>) -> Assessment {
    match ceiling {
        Some(c) if rank(c) < rank(computed.confidence) => Assessment {
            confidence: c,
            reason: format!(
                "Lowered by an editor from {}: {} (The sources alone: {})",
                computed.confidence.as_str(),
                note.unwrap_or("no reason given."),
                computed.reason
            ),
        },
        _ => computed,
    }
}

/// The sources a record cites, published or not (the rule tells them apart).
async fn cited<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
) -> AppResult<Vec<source::Model>> {
    let links = Query::select()
        .column(source_link::Column::SourceId)
        .from(source_link::Entity)
        .and_where(source_link::Column::RecordKind.eq(kind))
        .and_where(source_link::Column::RecordId.eq(id))
        .to_owned();
    Ok(source::Entity::find()
        .filter(source::Column::Id.in_subquery(links))
        .order_by_asc(source::Column::Id)
        .all(db)
        .await?)
}

/// What a record's confidence should be now.
async fn assess<E: Curated, C: ConnectionTrait>(db: &C, model: &E::Model) -> AppResult<Assessment> {
    let (_, _, ceiling, note) = E::confidence_of(model);
    let id = E::id_of(model);
    let computed = if E::KIND == RecordKind::Source {
        of_source(&existing::<source::Entity, _>(db, id).await?)
    } else {
        rule(&cited(db, E::KIND, id).await?)
    };
    Ok(capped(computed, ceiling, note.as_deref()))
}

/// Recomputes a record's confidence and reason and stores them if they changed. Returns the
/// record's version when the confidence itself moved (what a revision is written for: a
/// reason reworded alone, by a rule change or a publisher renamed, is stored without one).
pub async fn refresh<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
) -> AppResult<Option<i32>> {
    for_kind!(kind, K => refresh_one::<K, C>(db, id).await)
}

async fn refresh_one<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<i32>> {
    let model = existing::<E, _>(db, id).await?;
    let (confidence, reason, _, _) = E::confidence_of(&model);
    let now = assess::<E, C>(db, &model).await?;
    if now.confidence == confidence && now.reason == reason {
        return Ok(None);
    }
    let moved = (now.confidence != confidence).then(|| E::version_of(&model));
    let update = Query::update()
        .table(E::default())
        .value(Alias::new("confidence"), now.confidence.as_str())
        .value(Alias::new("confidence_reason"), now.reason)
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    db.execute(&update).await?;
    Ok(moved)
}

/// Recomputes every record that cites a source (after the source changed), each with an
/// UPDATE revision at its current version when its confidence moved, so that subscribers
/// hear of it. The revision names no editor: the rule made the change, not a curator of the
/// record (so the shipped dataset may still correct a record whose source an editor fixed).
pub async fn refresh_citing<C: ConnectionTrait>(db: &C, source_id: i64) -> AppResult<()> {
    let citing: Vec<(RecordKind, i64)> = source_link::Entity::find()
        .select_only()
        .column(source_link::Column::RecordKind)
        .column(source_link::Column::RecordId)
        .filter(source_link::Column::SourceId.eq(source_id))
        .order_by_asc(source_link::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (kind, id) in citing {
        if let Some(version) = refresh(db, kind, id).await? {
            log_change(db, kind, id, version, RevisionAction::Update, None).await?;
        }
    }
    Ok(())
}

/// Recomputes every record once after the rule changed (or its columns were added), with
/// an UPDATE revision by no editor for each record whose confidence moved. Runs at start-up
/// after the shipped dataset is loaded (so that its sources are classified first), in one
/// transaction, in the writers' turn; and by `exodus migrate` and `exodus seed`.
pub async fn recompute_all(db: &sea_orm::DatabaseConnection) -> anyhow::Result<usize> {
    recount(db)
        .await
        .map_err(|e| anyhow::anyhow!("recomputing confidences failed: {e:?}"))
}

async fn recount(db: &sea_orm::DatabaseConnection) -> AppResult<usize> {
    use sea_orm::TransactionTrait;
    // A cheap look first: a server restarting on its own release takes no lock.
    if crate::db::setting(db, RULE_SETTING).await?.as_deref() == Some(RULE_VERSION) {
        return Ok(0);
    }
    let tx = db.begin().await?;
    super::editing::writers_turn(&tx).await?;
    let stored = crate::db::setting(&tx, RULE_SETTING).await?;
    if stored.as_deref() == Some(RULE_VERSION) {
        tx.rollback().await?;
        return Ok(0);
    }
    let mut changed = 0;
    // Sources first: the others' rule does not read sources' own confidence, but their
    // revisions then come in a natural order.
    for kind in [
        RecordKind::Source,
        RecordKind::Organization,
        RecordKind::Instrument,
        RecordKind::Withdrawal,
        RecordKind::Stakeholder,
        RecordKind::Pact,
        RecordKind::Reaction,
        RecordKind::Correction,
    ] {
        let ids = for_kind!(kind, K => all_ids::<K>(&tx).await?);
        for id in ids {
            if let Some(version) = refresh(&tx, kind, id).await? {
                log_change(&tx, kind, id, version, RevisionAction::Update, None).await?;
                changed += 1;
            }
        }
    }
    crate::db::set_setting(&tx, RULE_SETTING, RULE_VERSION).await?;
    tx.commit().await?;
    Ok(changed)
}

async fn all_ids<E: Curated>(db: &sea_orm::DatabaseTransaction) -> AppResult<Vec<i64>> {
    Ok(E::find()
        .select_only()
        .column(E::id_column())
        .order_by_asc(E::id_column())
        .into_tuple()
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn src(id: i64, kind: PublisherKind, publisher: &str) -> source::Model {
        source::Model {
            id,
            slug: format!("s{id}"),
            status: RecordStatus::Published,
            confidence: Confidence::Unconfirmed,
            confidence_reason: String::new(),
            confidence_ceiling: None,
            confidence_note: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            created_by: None,
            updated_by: None,
            url: format!("https://example{id}.org/a/document"),
            title: "A document".into(),
            publisher: Some(publisher.into()),
            published_on: None,
            retrieved_on: None,
            is_mirror: false,
            publisher_kind: kind,
            original_publisher: None,
            points_to_document: true,
            note: None,
        }
    }

    #[test]
    fn an_official_text_confirms_alone() {
        let a = rule(&[src(1, PublisherKind::Official, "The White House")]);
        assert_eq!(a.confidence, Confidence::Confirmed);
        assert!(a.reason.contains("The White House"), "{}", a.reason);
    }

    #[test]
    fn a_copy_of_an_official_text_is_one_publisher_not_a_confirmation() {
        let mut copy = src(1, PublisherKind::Official, "bibliotecapleyades");
        copy.is_mirror = true;
        copy.original_publisher = Some("The White House".into());
        let alone = rule(std::slice::from_ref(&copy));
        assert_eq!(
            alone.confidence,
            Confidence::SingleSource,
            "{}",
            alone.reason
        );
        assert_eq!(alone.reason, "One publisher only: The White House.");
        let with_news = rule(&[copy, src(2, PublisherKind::News, "Jang")]);
        assert_eq!(with_news.confidence, Confidence::Confirmed);
    }

    #[test]
    fn one_outlet_is_a_single_source_however_often_cited() {
        let a = rule(&[
            src(1, PublisherKind::News, "TechRadar"),
            src(2, PublisherKind::News, "techradar "),
        ]);
        assert_eq!(a.confidence, Confidence::SingleSource, "{}", a.reason);
    }

    #[test]
    fn two_publishers_confirm_and_a_mirror_counts_as_its_original() {
        let mut mirror = src(2, PublisherKind::News, "menafn");
        mirror.is_mirror = true;
        mirror.original_publisher = Some("Al Jazeera".into());
        let two = rule(&[src(1, PublisherKind::News, "Al Jazeera"), mirror.clone()]);
        assert_eq!(two.confidence, Confidence::SingleSource, "{}", two.reason);
        let three = rule(&[src(1, PublisherKind::News, "Newsmax"), mirror]);
        assert_eq!(three.confidence, Confidence::Confirmed, "{}", three.reason);
    }

    #[test]
    fn unusable_sources_do_not_count() {
        let mut home = src(1, PublisherKind::Official, "The White House");
        home.points_to_document = false;
        let mut draft = src(2, PublisherKind::Official, "State");
        draft.status = RecordStatus::Draft;
        let mut anonymous_mirror = src(3, PublisherKind::News, "scraper");
        anonymous_mirror.is_mirror = true;
        let a = rule(&[home, draft, anonymous_mirror]);
        assert_eq!(a.confidence, Confidence::Unconfirmed);
        assert!(
            a.reason.contains("3 cited sources do not count"),
            "{}",
            a.reason
        );
        assert_eq!(rule(&[]).confidence, Confidence::Unconfirmed);
    }

    #[test]
    fn an_editor_can_lower_but_not_raise() {
        let computed = rule(&[src(1, PublisherKind::Official, "Treasury")]);
        let lowered = capped(
            computed.clone(),
            Some(Confidence::SingleSource),
            Some("Disputed."),
        );
        assert_eq!(lowered.confidence, Confidence::SingleSource);
        assert!(lowered
            .reason
            .starts_with("Lowered by an editor from CONFIRMED: Disputed."));
        let single = rule(&[src(1, PublisherKind::News, "Reuters")]);
        let raised = capped(
            single.clone(),
            Some(Confidence::Confirmed),
            Some("trust me"),
        );
        assert_eq!(raised, single);
    }

    #[test]
    fn a_sources_own_confidence_is_about_its_url() {
        let own = src(1, PublisherKind::News, "Reuters");
        assert_eq!(of_source(&own).confidence, Confidence::Confirmed);
        let mut copy = own.clone();
        copy.is_mirror = true;
        copy.original_publisher = Some("Reuters".into());
        assert_eq!(of_source(&copy).confidence, Confidence::SingleSource);
        copy.points_to_document = false;
        assert_eq!(of_source(&copy).confidence, Confidence::Unconfirmed);
        assert_eq!(host("https://www.example.org/x?y"), "example.org");
    }
}
