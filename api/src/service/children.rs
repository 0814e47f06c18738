//! A record's own lists: the rows that belong to one record and to nothing else
//! (an organization's categories; a pact's topics, parties, status history and replacement
//! claims; the records a correction concerns). They are part of its snapshots and are
//! restored with it.

use crate::error::AppResult;
use entity::enums::RecordKind;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::future::Future;

/// The lists of one kind of record, as a snapshot keeps them (each is a key of the snapshot).
pub trait RecordLists:
    Serialize + DeserializeOwned + Default + Clone + PartialEq + std::fmt::Debug + Send + Sync
{
    /// Reads the record's lists as they stand.
    fn load<C: ConnectionTrait>(db: &C, id: i64) -> impl Future<Output = AppResult<Self>> + Send;

    /// Replaces the record's lists with these.
    fn replace<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// The other records these lists refer to.
    fn references(&self) -> Vec<(RecordKind, i64)> {
        Vec::new()
    }

    /// Drops the entries that refer to a record `shown` rejects (the public's view of a
    /// snapshot: an entry about a hidden record is absent, not a dangling id).
    fn retain_shown(&mut self, _shown: &dyn Fn(RecordKind, i64) -> bool) {}
}

/// For kinds without lists of their own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoLists {}

impl RecordLists for NoLists {
    async fn load<C: ConnectionTrait>(_db: &C, _id: i64) -> AppResult<Self> {
        Ok(Self {})
    }
    async fn replace<C: ConnectionTrait>(&self, _db: &C, _id: i64) -> AppResult<()> {
        Ok(())
    }
}

/// An organization's categories, sorted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationLists {
    #[serde(default)]
    pub categories: Vec<String>,
}

impl RecordLists for OrganizationLists {
    async fn load<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Self> {
        let categories = organization_category::Entity::find()
            .filter(organization_category::Column::OrganizationId.eq(id))
            .order_by_asc(organization_category::Column::Category)
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.category)
            .collect();
        Ok(Self { categories })
    }

    async fn replace<C: ConnectionTrait>(&self, db: &C, id: i64) -> AppResult<()> {
        organization_category::Entity::delete_many()
            .filter(organization_category::Column::OrganizationId.eq(id))
            .exec(db)
            .await?;
        for category in &self.categories {
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
}

/// A pact's topics, parties, status history and replacement claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PactLists {
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub parties: Vec<pact_party::Model>,
    #[serde(default)]
    pub status_history: Vec<pact_status_change::Model>,
    #[serde(default)]
    pub replaces: Vec<pact_replacement::Model>,
}

impl RecordLists for PactLists {
    async fn load<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Self> {
        let topics = pact_topic::Entity::find()
            .filter(pact_topic::Column::PactId.eq(id))
            .order_by_asc(pact_topic::Column::Topic)
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.topic)
            .collect();
        let parties = pact_party::Entity::find()
            .filter(pact_party::Column::PactId.eq(id))
            .order_by_asc(pact_party::Column::Id)
            .all(db)
            .await?;
        let status_history = pact_status_change::Entity::find()
            .filter(pact_status_change::Column::PactId.eq(id))
            .order_by_asc(pact_status_change::Column::Id)
            .all(db)
            .await?;
        let replaces = pact_replacement::Entity::find()
            .filter(pact_replacement::Column::PactId.eq(id))
            .order_by_asc(pact_replacement::Column::Id)
            .all(db)
            .await?;
        Ok(Self {
            topics,
            parties,
            status_history,
            replaces,
        })
    }

    async fn replace<C: ConnectionTrait>(&self, db: &C, id: i64) -> AppResult<()> {
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
        for topic in &self.topics {
            pact_topic::ActiveModel {
                pact_id: Set(id),
                topic: Set(topic.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        for p in &self.parties {
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
        for s in &self.status_history {
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
        for r in &self.replaces {
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

    fn retain_shown(&mut self, shown: &dyn Fn(RecordKind, i64) -> bool) {
        // A claim whose either end is hidden goes whole: its note speaks of both.
        self.replaces.retain(|r| {
            r.organization_id
                .is_none_or(|id| shown(RecordKind::Organization, id))
                && r.withdrawal_id
                    .is_none_or(|id| shown(RecordKind::Withdrawal, id))
        });
    }

    fn references(&self) -> Vec<(RecordKind, i64)> {
        self.replaces
            .iter()
            .flat_map(|r| {
                let org = r.organization_id.map(|id| (RecordKind::Organization, id));
                let wd = r.withdrawal_id.map(|id| (RecordKind::Withdrawal, id));
                org.into_iter().chain(wd)
            })
            .collect()
    }
}

/// The records a correction concerns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CorrectionLists {
    #[serde(default)]
    pub concerns: Vec<correction_subject::Model>,
}

impl RecordLists for CorrectionLists {
    async fn load<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Self> {
        let concerns = correction_subject::Entity::find()
            .filter(correction_subject::Column::CorrectionId.eq(id))
            .order_by_asc(correction_subject::Column::Id)
            .all(db)
            .await?;
        Ok(Self { concerns })
    }

    async fn replace<C: ConnectionTrait>(&self, db: &C, id: i64) -> AppResult<()> {
        correction_subject::Entity::delete_many()
            .filter(correction_subject::Column::CorrectionId.eq(id))
            .exec(db)
            .await?;
        for c in &self.concerns {
            correction_subject::ActiveModel {
                correction_id: Set(id),
                record_kind: Set(c.record_kind),
                record_id: Set(c.record_id),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        Ok(())
    }

    fn retain_shown(&mut self, shown: &dyn Fn(RecordKind, i64) -> bool) {
        self.concerns.retain(|c| shown(c.record_kind, c.record_id));
    }

    fn references(&self) -> Vec<(RecordKind, i64)> {
        self.concerns
            .iter()
            .map(|c| (c.record_kind, c.record_id))
            .collect()
    }
}
