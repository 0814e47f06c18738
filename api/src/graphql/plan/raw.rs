//! Handing the planner's JSON to the response without turning it into values and back.
//!
//! The planner writes its answer as JSON text (`super::write`). When the request's response
//! is serialized by [`response_bytes`] (GraphQL over HTTP; the request carries
//! [`SplicesJson`]), the text travels in the value tree as `Value::Binary`, a variant no
//! field of the schema produces otherwise, and is copied into the response as it is. Other
//! transports (websockets, server-sent events) serialize responses themselves: they get the
//! text parsed into values, the same JSON once serialized.

use async_graphql::{Context, Response, Value};

/// Request data: this request's response is serialized by [`response_bytes`].
pub struct SplicesJson;

/// The planner's answer `json` as the field's value.
pub fn deliver(ctx: &Context<'_>, json: Vec<u8>) -> async_graphql::Result<Value> {
    if ctx.data_opt::<SplicesJson>().is_some() {
        return Ok(Value::Binary(json.into()));
    }
    serde_json::from_slice(&json).map_err(|e| {
        // The writer's own output: a failure here is a bug in it.
        tracing::error!(error = %e, "the planner wrote JSON that does not parse");
        crate::error::AppError::Internal(anyhow::anyhow!(e)).into()
    })
}

/// The response serialized as async-graphql serializes it (`data`, then `extensions` and
/// `errors` when there are any), with the planner's JSON copied in where it stands.
pub fn response_bytes(response: &Response) -> Vec<u8> {
    // Room for the planner's JSON from the start: a page's is tens of KiB, and growing the
    // buffer to it copied it several times.
    let mut out = Vec::with_capacity(1024 + planned_bytes(&response.data));
    out.extend_from_slice(b"{\"data\":");
    value(&response.data, &mut out);
    // Writing to a Vec cannot fail.
    if !response.extensions.is_empty() {
        out.extend_from_slice(b",\"extensions\":");
        let _ = serde_json::to_writer(&mut out, &response.extensions);
    }
    if !response.errors.is_empty() {
        out.extend_from_slice(b",\"errors\":");
        let _ = serde_json::to_writer(&mut out, &response.errors);
    }
    out.push(b'}');
    out
}

/// The bytes of the planner's JSON in `v`.
fn planned_bytes(v: &Value) -> usize {
    match v {
        Value::Binary(json) => json.len(),
        Value::Object(map) => map.values().map(planned_bytes).sum(),
        Value::List(items) => items.iter().map(planned_bytes).sum(),
        _ => 0,
    }
}

fn value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Binary(json) => out.extend_from_slice(json),
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, key.as_str());
                out.push(b':');
                value(v, out);
            }
            out.push(b'}');
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                value(v, out);
            }
            out.push(b']');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Name, Pos, ServerError};

    fn sample(inner: Value) -> Response {
        let mut data = async_graphql::indexmap::IndexMap::new();
        data.insert(Name::new("a"), inner);
        data.insert(
            Name::new("b \"quoted\""),
            Value::List(vec![Value::from(1), Value::Null, Value::from("x\ny")]),
        );
        let mut response = Response::new(Value::Object(data));
        response
            .extensions
            .insert("trace".into(), Value::from("on"));
        response
            .errors
            .push(ServerError::new("boom", Some(Pos { line: 1, column: 2 })));
        response
    }

    #[test]
    fn serializes_as_async_graphql_does() {
        let mut inner = async_graphql::indexmap::IndexMap::new();
        inner.insert(Name::new("n"), Value::from(2.5));
        inner.insert(Name::new("e"), Value::Enum(Name::new("PUBLISHED")));
        let response = sample(Value::Object(inner));
        assert_eq!(
            response_bytes(&response),
            serde_json::to_vec(&response).unwrap()
        );
        let bare = Response::new(Value::Null);
        assert_eq!(response_bytes(&bare), serde_json::to_vec(&bare).unwrap());
    }

    #[test]
    fn copies_the_planners_json_where_it_stands() {
        let json = br#"{"edges":[{"node":{"id":"V2l0aGRyYXdhbDox"}}]}"#;
        let spliced = response_bytes(&sample(Value::Binary(json.to_vec().into())));
        let parsed: serde_json::Value = serde_json::from_slice(&spliced).unwrap();
        let plain = sample(serde_json::from_slice(json).unwrap());
        assert_eq!(parsed, serde_json::to_value(&plain).unwrap());
    }
}
