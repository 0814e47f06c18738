//! A change in one line of plain words, for people: the Atom feed's titles and summaries
//! ("United States — withdrawal from Freedom Online Coalition — withdrawal status changed to
//! EFFECTIVE"). Works on a change event as the API renders it (`graphql::render`), so it
//! says only what the reader may see.

use serde_json::Value;

/// Changed fields named in a summary; the rest are counted.
const NAMED: usize = 4;
/// Values longer than this are not quoted ("description updated").
const QUOTED: usize = 48;

/// What the record is called: its name or title, or what it is about.
pub fn label(kind: &str, node: &Value) -> String {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let named = |field: &str| node.get(field).and_then(text);
    let of = |reference: &str, field: &str| {
        node.get(reference)
            .and_then(|r| r.get(field))
            .and_then(text)
    };
    let found = match kind {
        "WITHDRAWAL" => Some(match of("organization", "name") {
            Some(org) => format!("United States — withdrawal from {org}"),
            None => "United States — a withdrawal".to_owned(),
        }),
        "REACTION" => of("stakeholder", "name").map(|who| format!("Reaction by {who}")),
        "CORRECTION" => named("claim").map(|c| format!("Correction: {}", shorten(&c, 90))),
        "ORGANIZATION" | "STAKEHOLDER" => named("name"),
        _ => named("title"),
    };
    found
        .or_else(|| named("slug"))
        .unwrap_or_else(|| kind.to_ascii_lowercase())
}

/// What the change did, from the event's action and its diff (`revision.diff`).
pub fn what(action: &str, visible: bool, diff: &[Value]) -> String {
    if !visible {
        return "taken out of public view".to_owned();
    }
    match action {
        // The public sees a record created only when it was created published (the
        // shipped dataset); drafts appear when they are published.
        "CREATE" => return "added".to_owned(),
        "PUBLISH" => return "published".to_owned(),
        _ => {}
    }
    let changes: Vec<String> = diff
        .iter()
        .filter(|d| !MECHANICAL.contains(&field(d)))
        .map(|d| {
            let name = field(d).replace('_', " ");
            match scalar(&d["after"]) {
                Some(v) if v.chars().count() <= QUOTED => format!("{name} changed to {v}"),
                _ => format!("{name} updated"),
            }
        })
        .collect();
    match changes.len() {
        0 => "revised".to_owned(),
        n if n <= NAMED => changes.join("; "),
        n => format!("{}; and {} more", changes[..NAMED].join("; "), n - NAMED),
    }
}

/// Fields every change touches: not news.
const MECHANICAL: [&str; 5] = [
    "version",
    "updated_at",
    "updated_by",
    "created_at",
    "created_by",
];

fn field(diff: &Value) -> &str {
    diff.get("field").and_then(Value::as_str).unwrap_or("")
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        Value::Null => Some("none".to_owned()),
        _ => None,
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_status_change_reads_as_the_issue_asks() {
        let node = json!({ "organization": { "name": "Freedom Online Coalition" } });
        let diff = [
            json!({ "field": "withdrawal_status", "after": "EFFECTIVE" }),
            json!({ "field": "version", "after": 3 }),
        ];
        assert_eq!(
            format!("{} — {}", label("WITHDRAWAL", &node), what("UPDATE", true, &diff)),
            "United States — withdrawal from Freedom Online Coalition — withdrawal status changed to EFFECTIVE"
        );
    }

    #[test]
    fn long_values_and_many_fields_are_summarized() {
        let long = "x".repeat(100);
        let diff: Vec<Value> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|f| json!({ "field": f, "after": long }))
            .collect();
        assert_eq!(
            what("UPDATE", true, &diff),
            "a updated; b updated; c updated; d updated; and 2 more"
        );
        assert_eq!(what("ARCHIVE", false, &[]), "taken out of public view");
        assert_eq!(what("PUBLISH", true, &[]), "published");
        assert_eq!(what("CREATE", true, &diff), "added");
        let claim = json!({ "claim": "y".repeat(200) });
        assert!(label("CORRECTION", &claim).ends_with('…'));
        assert_eq!(label("PACT", &json!({ "slug": "s" })), "s");
    }
}
