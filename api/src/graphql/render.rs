//! Change events and records as JSON in the API's own shape, for readers that are not a
//! client's request: the export, the Atom feed and webhooks.
//!
//! Each runs a fixed document (below) on a small schema whose one root field lists the events
//! handed to the run. The resolvers are the API's own, with the reader's viewer, so a record
//! reads exactly as a GraphQL client with that viewer would see it: same field names, same
//! visibility of references, same scalars. Documents are per kind, because the kinds' fields
//! of the same name (`kind`, say) have different types and may not share a selection.

use crate::auth::throttle::LoginThrottle;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::events::feed::Change;
use crate::graphql::context::RequestData;
use crate::graphql::subscription::ChangeEvent;
use crate::service::{Limits, Viewer};
use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};
use entity::enums::RecordKind;
use sea_orm::DatabaseConnection;
use sea_orm::Iterable;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What is rendered of each event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// The change event with the record (webhooks).
    Event,
    /// The event, the record, and what the change altered (the Atom feed's summaries).
    Entry,
    /// The record alone (the export).
    Record,
}

/// Renders events with the API's resolvers.
#[derive(Clone)]
pub struct Renderer {
    schema: Schema<Root, EmptyMutation, EmptySubscription>,
    documents: Arc<HashMap<(Shape, RecordKind), String>>,
    db: DatabaseConnection,
    auth: Arc<Auth>,
    throttle: Arc<LoginThrottle>,
}

/// The events of one run, taken by the root field.
struct Pending(Mutex<Vec<Change>>);

#[derive(Default)]
struct Root;

#[Object]
impl Root {
    /// The events handed to this run, in order.
    async fn events(&self, ctx: &Context<'_>) -> Vec<ChangeEvent> {
        let taken = match ctx.data_opt::<Pending>() {
            Some(p) => std::mem::take(&mut *p.0.lock().unwrap_or_else(|e| e.into_inner())),
            None => Vec::new(),
        };
        taken.into_iter().map(ChangeEvent).collect()
    }
}

impl Renderer {
    pub fn new(
        limits: Limits,
        db: DatabaseConnection,
        auth: Arc<Auth>,
        throttle: Arc<LoginThrottle>,
    ) -> Self {
        // Its own page limit: a record's sources come whole, whatever clients may ask for.
        let limits = Limits {
            max_page_size: limits.max_page_size.max(SOURCES),
            ..limits
        };
        let schema = Schema::build(Root, EmptyMutation, EmptySubscription)
            .data(limits)
            .finish();
        let mut documents = HashMap::new();
        for kind in RecordKind::iter() {
            for shape in [Shape::Event, Shape::Entry, Shape::Record] {
                documents.insert((shape, kind), document(shape, kind));
            }
        }
        Self {
            schema,
            documents: Arc::new(documents),
            db,
            auth,
            throttle,
        }
    }

    /// Renders events as `viewer` sees them, one JSON object per event, in their order.
    pub async fn render(
        &self,
        shape: Shape,
        viewer: &Viewer,
        changes: Vec<Change>,
    ) -> AppResult<Vec<Value>> {
        // One run per kind, then back in the events' order.
        let mut by_kind: HashMap<RecordKind, Vec<(usize, Change)>> = HashMap::new();
        let count = changes.len();
        for (i, c) in changes.into_iter().enumerate() {
            by_kind
                .entry(c.revision.record_kind)
                .or_default()
                .push((i, c));
        }
        let mut out: Vec<Value> = vec![Value::Null; count];
        for (kind, items) in by_kind {
            let (places, batch): (Vec<usize>, Vec<Change>) = items.into_iter().unzip();
            let rendered = self.run(shape, kind, viewer, batch).await?;
            for (place, value) in places.into_iter().zip(rendered) {
                out[place] = value;
            }
        }
        Ok(out)
    }

    async fn run(
        &self,
        shape: Shape,
        kind: RecordKind,
        viewer: &Viewer,
        changes: Vec<Change>,
    ) -> AppResult<Vec<Value>> {
        let expected = changes.len();
        let data = RequestData::new(
            self.db.clone(),
            viewer.clone(),
            self.auth.clone(),
            self.throttle.clone(),
            None,
        );
        let request = async_graphql::Request::new(self.documents[&(shape, kind)].as_str())
            .data(data)
            .data(Pending(Mutex::new(changes)));
        let response = self.schema.execute(request).await;
        if let Some(e) = response.errors.first() {
            // A loader that failed (the database unreachable, say): the whole run fails,
            // rather than hand a reader a record with holes.
            let unavailable = e
                .extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from("SERVICE_UNAVAILABLE"));
            let cause = anyhow::anyhow!("rendering {kind:?} events: {}", e.message);
            return Err(if unavailable {
                AppError::Unavailable(cause)
            } else {
                AppError::Internal(cause)
            });
        }
        let mut json = response
            .data
            .into_json()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering {kind:?} events: {e}")))?;
        let events = match json.get_mut("events").map(Value::take) {
            Some(Value::Array(events)) if events.len() == expected => events,
            _ => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "rendering {kind:?} events: the run did not return them"
                )))
            }
        };
        Ok(events)
    }
}

/// The event's own fields, for every shape that carries the event.
const EVENT_FIELDS: &str = "id cursor kind action visible recordId at";

/// The sources of a record rendered at most (the dataset's records cite a handful).
const SOURCES: u32 = 1000;

/// Every curated record's own fields.
const COMMON: &str = "id slug status confidence version createdAt updatedAt \
    sources(first: 1000) { edges { node { note source { id } } } }";

const REPLACEMENT: &str = "{ pact { id slug title } organization { id slug name } \
    withdrawal { id slug } note confidence }";

/// What the payloads hold of a record of each kind: every field of the kind but the nested
/// lists of other records (which have their own events); references as the referenced
/// record's id, slug and name or title.
fn fields(kind: RecordKind) -> String {
    let own = match kind {
        RecordKind::Organization => format!(
            "name acronym kind categories digitalRelevance listSection listPosition \
             hostedByUn headquarters website description replacedBy {REPLACEMENT}"
        ),
        RecordKind::Instrument => "kind number title signedOn publishedOn \
             federalRegisterCitation url summary"
            .to_owned(),
        RecordKind::Withdrawal => format!(
            "organization {{ id slug name }} instrument {{ id slug title }} announcedOn \
             effectiveOn withdrawalStatus fundingEnded rationale expectedImpact \
             replacedBy {REPLACEMENT}"
        ),
        RecordKind::Stakeholder => {
            "name kind country affiliation organization { id slug name }".to_owned()
        }
        RecordKind::Reaction => "stakeholder { id slug name } subjectKind \
             subject { __typename ... on Node { id } } stance summary reactedOn dateApproximate"
            .to_owned(),
        RecordKind::Pact => format!(
            "title kind pactStatus binding signedOn summary topics \
             parties {{ name code role joinedOn }} statusHistory {{ pactStatus on note }} \
             replaces {REPLACEMENT}"
        ),
        RecordKind::Source => "url title publisher publishedOn retrievedOn isMirror note \
             publisherKind originalPublisher pointsToDocument"
            .to_owned(),
        RecordKind::Correction => "claim claimedIn claimSource { id slug title } verdict \
             finding concerns { __typename id }"
            .to_owned(),
    };
    // Fields added later go last: the CSV columns only ever grow at the end.
    format!("{COMMON} {own} {CONFIDENCE}")
}

/// The reason for a record's confidence and an editor's ceiling (added in 0.11.0).
const CONFIDENCE: &str = "confidenceReason confidenceCeiling confidenceNote";

/// The document of one shape for events of one kind.
pub fn document(shape: Shape, kind: RecordKind) -> String {
    let name = crate::service::ids::type_name(kind);
    let record = format!("node {{ __typename ... on {name} {{ {} }} }}", fields(kind));
    let selection = match shape {
        Shape::Event => format!("{EVENT_FIELDS} {record}"),
        Shape::Entry => format!("{EVENT_FIELDS} {record} revision {{ diff {{ field after }} }}"),
        Shape::Record => format!("kind recordId {record}"),
    };
    format!("query {{ events {{ {selection} }} }}")
}

/// The top-level fields of a kind's record, in the order of its selection: the columns of
/// its CSV export (documented in the README; append only).
pub fn columns(kind: RecordKind) -> Vec<&'static str> {
    use std::sync::OnceLock;
    static COLUMNS: OnceLock<HashMap<RecordKind, Vec<&'static str>>> = OnceLock::new();
    COLUMNS
        .get_or_init(|| {
            RecordKind::iter()
                .map(|k| {
                    let text: &'static str = Box::leak(fields(k).into_boxed_str());
                    (k, top_level(text))
                })
                .collect()
        })
        .get(&kind)
        .cloned()
        .unwrap_or_default()
}

/// The names at the top level of a selection (not inside `{}` or `()`).
fn top_level(selection: &'static str) -> Vec<&'static str> {
    let mut names = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    for (i, c) in selection.char_indices() {
        let word = c.is_ascii_alphanumeric() || c == '_';
        if depth == 0 && word {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            names.push(&selection[s..i]);
        }
        match c {
            '{' | '(' => depth += 1,
            '}' | ')' => depth -= 1,
            _ => {}
        }
    }
    if let Some(s) = start {
        names.push(&selection[s..]);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_top_level_fields_in_order() {
        let c = columns(RecordKind::Withdrawal);
        assert_eq!(&c[..3], &["id", "slug", "status"]);
        assert!(c.contains(&"sources"));
        assert!(c.contains(&"organization"));
        assert!(!c.contains(&"name"), "{c:?}");
        assert!(!c.contains(&"first"), "{c:?}");
        assert_eq!(c.last(), Some(&"confidenceNote"));
    }
}
