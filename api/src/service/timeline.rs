//! The timeline: dated events from every kind, in date order, with keyset pages.
//!
//! Events are read from several tables. Each event's position is (date, kind, id); a page
//! asks every table for the rows just past the cursor's position, merges them and keeps the
//! first `first`.

use super::curated::Curated;
use super::{Limits, Viewer};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::enums::RecordKind;
use entity::*;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

/// What happened on a timeline date. The order here is the order of events on one day.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize, PartialOrd, Ord, Hash)]
pub enum TimelineEventKind {
    /// An instrument was signed or issued.
    InstrumentSigned,
    /// A withdrawal was announced.
    WithdrawalAnnounced,
    /// A withdrawal took (or takes) effect.
    WithdrawalEffective,
    /// A pact changed status (proposed, signed, paused...).
    PactStatusChanged,
    /// A stakeholder reacted.
    Reaction,
}

/// One dated event. `row_id` identifies the row it came from (for pact status changes, the
/// status change; otherwise the record).
#[derive(Debug, Clone)]
pub struct Event {
    pub date: NaiveDate,
    pub kind: TimelineEventKind,
    pub row_id: i64,
    pub record_kind: RecordKind,
    pub record_id: i64,
    pub pact_status_change: Option<pact_status_change::Model>,
}

#[derive(Serialize, Deserialize)]
struct Position(NaiveDate, TimelineEventKind, i64);

impl Event {
    pub fn cursor(&self) -> String {
        let p = Position(self.date, self.kind, self.row_id);
        super::codec::encode_json(&p)
    }
}

/// A page of events.
pub struct TimelinePage {
    pub events: Vec<Event>,
    pub has_next_page: bool,
}

/// Rows of a table past the cursor, for a kind of event dated by `date`.
fn past<Col: ColumnTrait>(
    date: Col,
    id: Col,
    kind: TimelineEventKind,
    after: &Option<Position>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Condition {
    let mut c = Condition::all().add(date.is_not_null());
    if let Some(f) = from {
        c = c.add(date.gte(f));
    }
    if let Some(t) = to {
        c = c.add(date.lte(t));
    }
    if let Some(Position(d, k, i)) = after {
        c = c.add(match kind.cmp(k) {
            std::cmp::Ordering::Greater => Condition::all().add(date.gte(*d)),
            std::cmp::Ordering::Less => Condition::all().add(date.gt(*d)),
            std::cmp::Ordering::Equal => Condition::any()
                .add(date.gt(*d))
                .add(Condition::all().add(date.eq(*d)).add(id.gt(*i))),
        });
    }
    c
}

/// Events of the given kinds (all when empty) between two dates, in order.
#[allow(clippy::too_many_arguments)]
pub async fn timeline<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    kinds: &[TimelineEventKind],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    first: Option<i32>,
    after: Option<&str>,
    limits: Limits,
) -> AppResult<TimelinePage> {
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::bad_input(format!(
                "`from` ({f}) is after `to` ({t})"
            )));
        }
    }
    let size = match first {
        None => limits.default_page_size as u64,
        Some(n) if n < 0 => return Err(AppError::bad_input("`first` must not be negative")),
        Some(n) if n as u32 > limits.max_page_size => {
            return Err(AppError::bad_input(format!(
                "`first` must be at most {} (got {n})",
                limits.max_page_size
            )))
        }
        Some(n) => n as u64,
    };
    let after = match after {
        None => None,
        Some(text) => Some(super::codec::decode_json::<Position>(text).ok_or_else(|| {
            AppError::bad_input(format!("{text:?} is not a valid timeline cursor"))
        })?),
    };
    let statuses = viewer.visible_statuses();
    let wanted = |k: TimelineEventKind| kinds.is_empty() || kinds.contains(&k);
    let mut events = Vec::new();
    let take = size + 1;

    use TimelineEventKind as K;
    if wanted(K::InstrumentSigned) {
        use instrument::Column as C;
        for m in instrument::Entity::find()
            .filter(instrument::Entity::visible(&statuses))
            .filter(past(
                C::SignedOn,
                C::Id,
                K::InstrumentSigned,
                &after,
                from,
                to,
            ))
            .order_by_asc(C::SignedOn)
            .order_by_asc(C::Id)
            .limit(take)
            .all(db)
            .await?
        {
            events.push(record_event(
                m.signed_on,
                K::InstrumentSigned,
                RecordKind::Instrument,
                m.id,
            ));
        }
    }
    for (kind, column) in [
        (K::WithdrawalAnnounced, withdrawal::Column::AnnouncedOn),
        (K::WithdrawalEffective, withdrawal::Column::EffectiveOn),
    ] {
        if !wanted(kind) {
            continue;
        }
        let rows: Vec<(i64, NaiveDate)> = withdrawal::Entity::find()
            .select_only()
            .column(withdrawal::Column::Id)
            .column(column)
            .filter(withdrawal::Entity::visible(&statuses))
            .filter(past(column, withdrawal::Column::Id, kind, &after, from, to))
            .order_by_asc(column)
            .order_by_asc(withdrawal::Column::Id)
            .limit(take)
            .into_tuple()
            .all(db)
            .await?;
        for (id, date) in rows {
            events.push(record_event(date, kind, RecordKind::Withdrawal, id));
        }
    }
    if wanted(K::PactStatusChanged) {
        use pact_status_change::Column as C;
        let visible_pacts = sea_orm::sea_query::Query::select()
            .column(pact::Column::Id)
            .from(pact::Entity)
            .cond_where(pact::Entity::visible(&statuses))
            .to_owned();
        for m in pact_status_change::Entity::find()
            .filter(C::PactId.in_subquery(visible_pacts))
            .filter(past(
                C::ChangedOn,
                C::Id,
                K::PactStatusChanged,
                &after,
                from,
                to,
            ))
            .order_by_asc(C::ChangedOn)
            .order_by_asc(C::Id)
            .limit(take)
            .all(db)
            .await?
        {
            events.push(Event {
                date: m.changed_on,
                kind: K::PactStatusChanged,
                row_id: m.id,
                record_kind: RecordKind::Pact,
                record_id: m.pact_id,
                pact_status_change: Some(m),
            });
        }
    }
    if wanted(K::Reaction) {
        use reaction::Column as C;
        let rows: Vec<(i64, NaiveDate)> = reaction::Entity::find()
            .select_only()
            .column(C::Id)
            .column(C::ReactedOn)
            .filter(reaction::Entity::visible(&statuses))
            .filter(past(C::ReactedOn, C::Id, K::Reaction, &after, from, to))
            .order_by_asc(C::ReactedOn)
            .order_by_asc(C::Id)
            .limit(take)
            .into_tuple()
            .all(db)
            .await?;
        for (id, date) in rows {
            events.push(record_event(date, K::Reaction, RecordKind::Reaction, id));
        }
    }
    events.sort_by_key(|e| (e.date, e.kind, e.row_id));
    let has_next_page = events.len() as u64 > size;
    events.truncate(size as usize);
    Ok(TimelinePage {
        events,
        has_next_page,
    })
}

fn record_event(
    date: NaiveDate,
    kind: TimelineEventKind,
    record_kind: RecordKind,
    id: i64,
) -> Event {
    Event {
        date,
        kind,
        row_id: id,
        record_kind,
        record_id: id,
        pact_status_change: None,
    }
}
