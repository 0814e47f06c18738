//! Writing a plan's answer as JSON, straight from the rows (issue 17).
//!
//! The planner used to build its answer as async-graphql values (a map per object, a copy of
//! every string), which the server then serialized: about a quarter of a nested page's
//! server CPU (BENCHMARKS.md). The writer writes the same JSON from the rows in one pass;
//! `super::raw` hands it to the response as it is.

use super::fill::{ConnectionFetched, Fetched, Page};
use super::kinds::Out;
use super::{ConnectionPart, ConnectionPlan, EdgePart, InfoPart, NodePlan, Part, Plannable};
use crate::graphql::scalars::{Date, DateTime};
use crate::service::ids;
use crate::service::page::{self, ChildArgs, SortSpec};
use async_graphql::{Name, ScalarType, Value};
use entity::reaction;

/// A JSON text being written.
pub struct Json(Vec<u8>);

impl Json {
    /// An empty text with room for `bytes` (a nested page of 50 rows, each with 5 reactions,
    /// is about 75 KiB).
    pub fn with_capacity(bytes: usize) -> Self {
        Self(Vec::with_capacity(bytes))
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// A string, escaped as serde_json escapes it.
    fn text(&mut self, s: &str) {
        // Most strings need no escaping (serde_json escapes only control characters, quotes
        // and backslashes): copied whole, after one quick scan.
        if !needs_escaping(s.as_bytes()) {
            self.0.reserve(s.len() + 2);
            self.0.push(b'"');
            self.0.extend_from_slice(s.as_bytes());
            self.0.push(b'"');
            return;
        }
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.0, s);
    }

    fn null(&mut self) {
        self.0.extend_from_slice(b"null");
    }

    fn bool(&mut self, b: bool) {
        self.0.extend_from_slice(if b { b"true" } else { b"false" });
    }

    /// A value async-graphql built (the rare scalars the writer has no fast path for).
    fn value(&mut self, v: &Value) {
        let _ = serde_json::to_writer(&mut self.0, v);
    }

    /// The object member `key` (`i`: its place in the object).
    fn key(&mut self, i: usize, key: &Name) {
        if i > 0 {
            self.0.push(b',');
        }
        self.text(key.as_str());
        self.0.push(b':');
    }

    fn out(&mut self, out: Out<'_>) {
        match out {
            Out::Null => self.null(),
            Out::Bool(b) => self.bool(b),
            Out::Int(n) => {
                let _ = serde_json::to_writer(&mut self.0, &n);
            }
            Out::Text(s) => self.text(s),
            Out::Enum(name) => self.text(name),
            Out::Date(d) => self.date(d),
            Out::Moment(t) => self.value(&ScalarType::to_value(&DateTime(t))),
            // base64url needs no escaping.
            Out::Id(kind, id) => {
                self.0.push(b'"');
                ids::write(kind, id, &mut self.0);
                self.0.push(b'"');
            }
        }
    }

    /// A date as the `Date` scalar writes it ("2026-01-07"); chrono's formatting cost a
    /// tenth of the planner's writing.
    fn date(&mut self, d: chrono::NaiveDate) {
        use chrono::Datelike;
        // Years outside 0..=9999 take a sign or a fifth digit: the scalar writes those.
        let year = match u32::try_from(d.year()) {
            Ok(year) if year <= 9999 => year,
            _ => return self.value(&ScalarType::to_value(&Date(d))),
        };
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let (m, day) = (d.month(), d.day());
        self.0.extend_from_slice(&[
            b'"',
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
            b'"',
        ]);
    }
}

/// Writes one row's answer.
pub fn node<E: Plannable>(
    out: &mut Json,
    plan: &NodePlan<E>,
    model: &E::Model,
    fetched: &[Fetched],
) {
    out.0.push(b'{');
    for (i, (key, part)) in plan.fields.iter().enumerate() {
        out.key(i, key);
        // Plans without relations come with nothing fetched.
        match (part, fetched.get(i).unwrap_or(&Fetched::Nothing)) {
            (Part::Scalar(_, f), _) => out.out(f(model)),
            (Part::Typename, _) => out.text(E::TYPE_NAME),
            (Part::Organization(of, plan), Fetched::Organizations(found)) => {
                match found.get(&of(model)) {
                    Some(o) => node(out, plan, o, &[]),
                    None => out.null(),
                }
            }
            (Part::Reactions(args, sort, plan), Fetched::Reactions(found)) => reactions(
                out,
                plan,
                args,
                sort,
                found.get(&(E::id_of(model), args.clone())),
            ),
            // A relation's rows are always fetched with its part.
            _ => out.null(),
        }
    }
    out.0.push(b'}');
}

/// One parent's page of reactions, as `child_page` cuts it.
fn reactions(
    out: &mut Json,
    plan: &ConnectionPlan<reaction::Entity>,
    args: &ChildArgs,
    sort: &SortSpec<reaction::Entity>,
    rows: Option<&Vec<reaction::Model>>,
) {
    let rows: Vec<&reaction::Model> = rows.map(|r| r.iter().collect()).unwrap_or_default();
    let size = args.first as usize;
    let has_next_page = rows.len() > size;
    let rows = &rows[..rows.len().min(size)];
    let cursor = |i: usize| page::encode_cursor(sort, rows[i].id, rows[i]);
    let page = Page {
        rows,
        cursor: &cursor,
        has_previous_page: args.after.is_some(),
        has_next_page,
    };
    // The nested plan fetches nothing: its node plans have no relations.
    let fetched = ConnectionFetched::none(plan);
    connection(out, plan, &page, &fetched);
}

/// Writes a connection's answer.
pub fn connection<E: Plannable>(
    out: &mut Json,
    plan: &ConnectionPlan<E>,
    page: &Page<'_, E::Model>,
    fetched: &ConnectionFetched,
) {
    let mut parts = fetched.parts();
    out.0.push(b'{');
    for (i, (key, part)) in plan.fields.iter().enumerate() {
        out.key(i, key);
        match part {
            ConnectionPart::Typename => out.text(&format!("{}Connection", E::TYPE_NAME)),
            ConnectionPart::Nodes(plan) => {
                let fetched = parts.next().map_or(&[][..], Vec::as_slice);
                out.0.push(b'[');
                for (n, m) in page.rows.iter().enumerate() {
                    if n > 0 {
                        out.0.push(b',');
                    }
                    node(out, plan, m, fetched);
                }
                out.0.push(b']');
            }
            ConnectionPart::Edges(edge) => {
                let nodes: Vec<_> = edge
                    .iter()
                    .filter(|(_, p)| matches!(p, EdgePart::Node(_)))
                    .map(|_| parts.next().map_or(&[][..], Vec::as_slice))
                    .collect();
                out.0.push(b'[');
                for n in 0..page.rows.len() {
                    if n > 0 {
                        out.0.push(b',');
                    }
                    edge_value::<E>(out, edge, page, n, &nodes);
                }
                out.0.push(b']');
            }
            ConnectionPart::PageInfo(info) => page_info(out, info, page),
        }
    }
    out.0.push(b'}');
}

fn edge_value<E: Plannable>(
    out: &mut Json,
    edge: &[(Name, EdgePart<E>)],
    page: &Page<'_, E::Model>,
    n: usize,
    fetched: &[&[Fetched]],
) {
    let mut nodes = fetched.iter();
    out.0.push(b'{');
    for (i, (key, part)) in edge.iter().enumerate() {
        out.key(i, key);
        match part {
            EdgePart::Typename => out.text(&format!("{}Edge", E::TYPE_NAME)),
            EdgePart::Cursor => out.text(&(page.cursor)(n)),
            EdgePart::Node(plan) => node(
                out,
                plan,
                page.rows[n],
                nodes.next().copied().unwrap_or(&[]),
            ),
        }
    }
    out.0.push(b'}');
}

fn page_info<M>(out: &mut Json, info: &[(Name, InfoPart)], page: &Page<'_, M>) {
    let last = page.rows.len().checked_sub(1);
    let first = (!page.rows.is_empty()).then_some(0);
    out.0.push(b'{');
    for (i, (key, part)) in info.iter().enumerate() {
        out.key(i, key);
        let cursor = match part {
            InfoPart::Typename => {
                out.text("PageInfo");
                continue;
            }
            InfoPart::HasPreviousPage => {
                out.bool(page.has_previous_page);
                continue;
            }
            InfoPart::HasNextPage => {
                out.bool(page.has_next_page);
                continue;
            }
            InfoPart::StartCursor => first,
            InfoPart::EndCursor => last,
        };
        match cursor {
            Some(n) => out.text(&(page.cursor)(n)),
            None => out.null(),
        }
    }
    out.0.push(b'}');
}

/// Whether serde_json would escape any byte of `s`: a control character, a quote or a
/// backslash. Eight bytes at a time with the word tricks of "Bit Twiddling Hacks" (a byte
/// below 0x20; a byte equal to one value): summaries are most of a page's text, and the
/// byte-at-a-time scan was about 5% of the server's time in issue 17's profile.
fn needs_escaping(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Some byte of `v` is zero; exact as to whether one is (the borrow only spoils the bytes
    // above the first zero).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let mut words = s.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes);
        // Some byte below 0x20 (bytes from 0x80 up keep their high bit in `x`, so `!x`
        // clears them).
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0;
        if control
            || has_zero(x ^ (ONES * u64::from(b'"')))
            || has_zero(x ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn written(out: Out<'_>) -> String {
        let mut json = Json::with_capacity(64);
        json.out(out);
        String::from_utf8(json.into_bytes()).unwrap()
    }

    #[test]
    fn row_fields_are_written_as_the_executor_serializes_them() {
        let mut cases = vec![
            Out::Null,
            Out::Bool(true),
            Out::Int(-42),
            Out::Text("quote \" backslash \\ newline \n tab \t nul \u{0} é 🙂"),
            Out::Text("plain text, é 🙂 and DEL \u{7f}"),
            Out::Text("\u{1f}"),
            Out::Text(""),
            Out::Enum("NOTICE_GIVEN"),
            Out::Id(entity::enums::RecordKind::Withdrawal, 1234),
            Out::Moment(chrono::DateTime::from_timestamp(1_764_000_000, 5_000).unwrap()),
        ];
        for (y, m, d) in [
            (-5, 1, 1),
            (0, 2, 29),
            (7, 3, 4),
            (999, 12, 31),
            (2026, 1, 7),
            (9999, 12, 31),
            (10000, 1, 1),
        ] {
            cases.push(Out::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        }
        for out in cases {
            let expected = serde_json::to_string(&out.to_value()).unwrap();
            assert_eq!(written(out), expected, "{out:?}");
        }
    }

    /// The word-wise scan finds a character to escape wherever it stands: in a full word of
    /// eight bytes, at a word's edge, or in the remainder.
    #[test]
    fn an_escaped_character_is_found_at_every_position() {
        for len in [1, 15, 16, 17, 31, 32, 47] {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{1f}', '\u{0}'] {
                    let mut text: Vec<char> = "é".repeat(len).chars().collect();
                    text[at] = c;
                    let text: String = text.into_iter().collect();
                    let expected = serde_json::to_string(&text).unwrap();
                    assert_eq!(written(Out::Text(&text)), expected, "{text:?}");
                }
            }
            let plain = "x".repeat(len);
            assert_eq!(written(Out::Text(&plain)), format!("\"{plain}\""));
        }
    }

    /// Object keys come out as serde_json writes them, the first without a comma.
    #[test]
    fn keys_are_written_as_serde_writes_them() {
        let mut json = Json::with_capacity(64);
        json.0.push(b'{');
        for (i, key) in ["id", "reactedOn", "_alias9", "odd\"name\\"]
            .into_iter()
            .enumerate()
        {
            json.key(i, &Name::new(key));
            json.null();
        }
        json.0.push(b'}');
        let expected = r#"{"id":null,"reactedOn":null,"_alias9":null,"odd\"name\\":null}"#;
        assert_eq!(String::from_utf8(json.into_bytes()).unwrap(), expected);
    }

    /// The word-wise scan agrees with the byte-wise rule for every byte value, at every
    /// position of words and of the remainder, with any neighbours.
    #[test]
    fn the_escape_scan_agrees_with_the_rule_for_every_byte() {
        let rule = |s: &[u8]| s.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for len in [1, 7, 8, 9, 16, 19] {
            for at in 0..len {
                for filler in [b'a', 0x7f, 0xc3, 0xff, 0x21, 0x5b, 0x5d] {
                    for b in 0..=255u8 {
                        let mut text = vec![filler; len];
                        text[at] = b;
                        assert_eq!(needs_escaping(&text), rule(&text), "{text:?}");
                    }
                }
            }
        }
    }
}
