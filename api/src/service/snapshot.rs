//! Snapshots of a record with everything that belongs to it, for the revision log, and the
//! reverse: restoring a record from a snapshot.

use super::curated::Curated;
use super::editing::{existing, update_checked};
use crate::error::{AppError, AppResult};
use entity::enums::*;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{json, Value};

async fn record<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Value> {
    Ok(serde_json::to_value(existing::<E, _>(db, id).await?).map_err(anyhow::Error::from)?)
}

fn to_json<T: serde::Serialize>(rows: Vec<T>) -> AppResult<Value> {
    Ok(serde_json::to_value(rows).map_err(anyhow::Error::from)?)
}

/// The record as it stands, with its sources and its own lists.
pub async fn take<C: ConnectionTrait>(db: &C, kind: RecordKind, id: i64) -> AppResult<Value> {
    let sources = source_link::Entity::find()
        .filter(source_link::Column::RecordKind.eq(kind))
        .filter(source_link::Column::RecordId.eq(id))
        .order_by_asc(source_link::Column::Id)
        .all(db)
        .await?;
    let sources: Vec<Value> = sources
        .into_iter()
        .map(|l| json!({ "sourceId": l.source_id, "note": l.note }))
        .collect();
    let mut snap = json!({ "sources": sources });
    let record = match kind {
        RecordKind::Organization => {
            let categories: Vec<String> = organization_category::Entity::find()
                .filter(organization_category::Column::OrganizationId.eq(id))
                .order_by_asc(organization_category::Column::Category)
                .all(db)
                .await?
                .into_iter()
                .map(|c| c.category)
                .collect();
            snap["categories"] = json!(categories);
            record::<organization::Entity, _>(db, id).await?
        }
        RecordKind::Instrument => record::<instrument::Entity, _>(db, id).await?,
        RecordKind::Withdrawal => record::<withdrawal::Entity, _>(db, id).await?,
        RecordKind::Stakeholder => record::<stakeholder::Entity, _>(db, id).await?,
        RecordKind::Reaction => record::<reaction::Entity, _>(db, id).await?,
        RecordKind::Pact => {
            let topics: Vec<String> = pact_topic::Entity::find()
                .filter(pact_topic::Column::PactId.eq(id))
                .order_by_asc(pact_topic::Column::Topic)
                .all(db)
                .await?
                .into_iter()
                .map(|t| t.topic)
                .collect();
            snap["topics"] = json!(topics);
            snap["parties"] = to_json(
                pact_party::Entity::find()
                    .filter(pact_party::Column::PactId.eq(id))
                    .order_by_asc(pact_party::Column::Id)
                    .all(db)
                    .await?,
            )?;
            snap["statusHistory"] = to_json(
                pact_status_change::Entity::find()
                    .filter(pact_status_change::Column::PactId.eq(id))
                    .order_by_asc(pact_status_change::Column::Id)
                    .all(db)
                    .await?,
            )?;
            snap["replaces"] = to_json(
                pact_replacement::Entity::find()
                    .filter(pact_replacement::Column::PactId.eq(id))
                    .order_by_asc(pact_replacement::Column::Id)
                    .all(db)
                    .await?,
            )?;
            record::<pact::Entity, _>(db, id).await?
        }
        RecordKind::Source => record::<source::Entity, _>(db, id).await?,
        RecordKind::Correction => {
            snap["concerns"] = to_json(
                correction_subject::Entity::find()
                    .filter(correction_subject::Column::CorrectionId.eq(id))
                    .order_by_asc(correction_subject::Column::Id)
                    .all(db)
                    .await?,
            )?;
            record::<correction::Entity, _>(db, id).await?
        }
    };
    snap["record"] = record;
    Ok(snap)
}

/// The current version of any record.
pub async fn version_of<C: ConnectionTrait>(db: &C, kind: RecordKind, id: i64) -> AppResult<i32> {
    async fn v<E: Curated, C: ConnectionTrait>(db: &C, id: i64) -> AppResult<i32> {
        Ok(E::version_of(&existing::<E, _>(db, id).await?))
    }
    match kind {
        RecordKind::Organization => v::<organization::Entity, _>(db, id).await,
        RecordKind::Instrument => v::<instrument::Entity, _>(db, id).await,
        RecordKind::Withdrawal => v::<withdrawal::Entity, _>(db, id).await,
        RecordKind::Stakeholder => v::<stakeholder::Entity, _>(db, id).await,
        RecordKind::Reaction => v::<reaction::Entity, _>(db, id).await,
        RecordKind::Pact => v::<pact::Entity, _>(db, id).await,
        RecordKind::Source => v::<source::Entity, _>(db, id).await,
        RecordKind::Correction => v::<correction::Entity, _>(db, id).await,
    }
}

/// Writes the fields of a snapshot back onto the record (keeping its id, creation and
/// version counter) and returns the new version.
async fn restore_record<E: Curated, C: ConnectionTrait>(
    db: &C,
    id: i64,
    snap: &Value,
    editor: i64,
) -> AppResult<i32> {
    let current = existing::<E, _>(db, id).await?;
    let old: E::Model = serde_json::from_value(snap["record"].clone()).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a stored snapshot does not fit the record: {e}"
        ))
    })?;
    // Every curated field comes back; the id and the version counter stay as they are.
    let mut am = old.into_active_model().reset_all();
    am.not_set(E::id_column());
    am.not_set(E::version_column());
    let model = update_checked::<E, _>(db, id, E::version_of(&current), am, editor).await?;
    Ok(E::version_of(&model))
}

fn list<T: serde::de::DeserializeOwned>(snap: &Value, key: &str) -> AppResult<Vec<T>> {
    serde_json::from_value(snap.get(key).cloned().unwrap_or(json!([]))).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a stored snapshot list {key} is malformed: {e}"
        ))
    })
}

/// Restores a record and its lists to a snapshot; returns the new version.
pub async fn restore<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
    snap: &Value,
    editor: i64,
) -> AppResult<i32> {
    let version = match kind {
        RecordKind::Organization => {
            let v = restore_record::<organization::Entity, _>(db, id, snap, editor).await?;
            let categories: Vec<String> = list(snap, "categories")?;
            replace_categories(db, id, &categories).await?;
            v
        }
        RecordKind::Instrument => {
            restore_record::<instrument::Entity, _>(db, id, snap, editor).await?
        }
        RecordKind::Withdrawal => {
            restore_record::<withdrawal::Entity, _>(db, id, snap, editor).await?
        }
        RecordKind::Stakeholder => {
            restore_record::<stakeholder::Entity, _>(db, id, snap, editor).await?
        }
        RecordKind::Reaction => restore_record::<reaction::Entity, _>(db, id, snap, editor).await?,
        RecordKind::Source => restore_record::<source::Entity, _>(db, id, snap, editor).await?,
        RecordKind::Pact => {
            let v = restore_record::<pact::Entity, _>(db, id, snap, editor).await?;
            let topics: Vec<String> = list(snap, "topics")?;
            let parties: Vec<pact_party::Model> = list(snap, "parties")?;
            let history: Vec<pact_status_change::Model> = list(snap, "statusHistory")?;
            let replaces: Vec<pact_replacement::Model> = list(snap, "replaces")?;
            replace_pact_lists(db, id, &topics, &parties, &history, &replaces).await?;
            v
        }
        RecordKind::Correction => {
            let v = restore_record::<correction::Entity, _>(db, id, snap, editor).await?;
            let concerns: Vec<correction_subject::Model> = list(snap, "concerns")?;
            let pairs: Vec<(RecordKind, i64)> = concerns
                .iter()
                .map(|c| (c.record_kind, c.record_id))
                .collect();
            replace_concerns(db, id, &pairs).await?;
            v
        }
    };
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Link {
        source_id: i64,
        note: Option<String>,
    }
    let links: Vec<Link> = list(snap, "sources")?;
    source_link::Entity::delete_many()
        .filter(source_link::Column::RecordKind.eq(kind))
        .filter(source_link::Column::RecordId.eq(id))
        .exec(db)
        .await?;
    for link in links {
        source_link::ActiveModel {
            source_id: Set(link.source_id),
            record_kind: Set(kind),
            record_id: Set(id),
            note: Set(link.note),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(version)
}

/// Sets an organization's categories.
pub async fn replace_categories<C: ConnectionTrait>(
    db: &C,
    id: i64,
    categories: &[String],
) -> AppResult<()> {
    organization_category::Entity::delete_many()
        .filter(organization_category::Column::OrganizationId.eq(id))
        .exec(db)
        .await?;
    for category in categories {
        organization_category::ActiveModel {
            organization_id: Set(id),
            category: Set(category.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Sets a pact's topics, parties, status history and replacement claims.
pub async fn replace_pact_lists<C: ConnectionTrait>(
    db: &C,
    id: i64,
    topics: &[String],
    parties: &[pact_party::Model],
    history: &[pact_status_change::Model],
    replaces: &[pact_replacement::Model],
) -> AppResult<()> {
    pact_topic::Entity::delete_many()
        .filter(pact_topic::Column::PactId.eq(id))
        .exec(db)
        .await?;
    pact_party::Entity::delete_many()
        .filter(pact_party::Column::PactId.eq(id))
        .exec(db)
        .await?;
    pact_status_change::Entity::delete_many()
        .filter(pact_status_change::Column::PactId.eq(id))
        .exec(db)
        .await?;
    pact_replacement::Entity::delete_many()
        .filter(pact_replacement::Column::PactId.eq(id))
        .exec(db)
        .await?;
    for topic in topics {
        pact_topic::ActiveModel {
            pact_id: Set(id),
            topic: Set(topic.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for p in parties {
        pact_party::ActiveModel {
            pact_id: Set(id),
            name: Set(p.name.clone()),
            code: Set(p.code.clone()),
            role: Set(p.role),
            joined_on: Set(p.joined_on),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for s in history {
        pact_status_change::ActiveModel {
            pact_id: Set(id),
            pact_status: Set(s.pact_status),
            changed_on: Set(s.changed_on),
            note: Set(s.note.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for r in replaces {
        pact_replacement::ActiveModel {
            pact_id: Set(id),
            organization_id: Set(r.organization_id),
            withdrawal_id: Set(r.withdrawal_id),
            note: Set(r.note.clone()),
            confidence: Set(r.confidence),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Sets the records a correction concerns.
pub async fn replace_concerns<C: ConnectionTrait>(
    db: &C,
    id: i64,
    concerns: &[(RecordKind, i64)],
) -> AppResult<()> {
    correction_subject::Entity::delete_many()
        .filter(correction_subject::Column::CorrectionId.eq(id))
        .exec(db)
        .await?;
    for (kind, record_id) in concerns {
        correction_subject::ActiveModel {
            correction_id: Set(id),
            record_kind: Set(*kind),
            record_id: Set(*record_id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
