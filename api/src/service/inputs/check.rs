//! Field-by-field validation that reports every problem at once.

use super::RecordRef;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::{ids, records};
use chrono::NaiveDate;
use entity::enums::RecordKind;
use sea_orm::ConnectionTrait;

/// Collects field errors; `finish` turns them into one BAD_USER_INPUT.
#[derive(Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Required text, trimmed, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "is required");
        } else if v.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        v.to_owned()
    }

    /// Optional text, trimmed; empty becomes null.
    pub fn opt_text(&mut self, field: &str, value: &Option<String>, max: usize) -> Option<String> {
        let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        if v.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        Some(v.to_owned())
    }

    /// An optional absolute http(s) URL.
    pub fn url(&mut self, field: &str, value: &Option<String>) -> Option<String> {
        let v = self.opt_text(field, value, 1000)?;
        match url::Url::parse(&v) {
            Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {}
            _ => self.fail(field, "must be an absolute http or https URL"),
        }
        Some(v)
    }

    /// A slug: lowercase letters, digits and single hyphens, 1 to 160 characters.
    pub fn slug(&mut self, value: &str) -> String {
        let v = value.trim();
        let ok = !v.is_empty()
            && v.len() <= 160
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !v.starts_with('-')
            && !v.ends_with('-')
            && !v.contains("--");
        if !ok {
            self.fail("slug", "must be lowercase letters, digits and single hyphens (e.g. \"freedom-online-coalition\"), at most 160 characters");
        }
        v.to_owned()
    }

    /// Keywords (categories, topics): kebab-case, deduplicated.
    pub fn keywords(&mut self, field: &str, values: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if values.len() > 20 {
            self.fail(field, "at most 20 keywords");
        }
        for (i, v) in values.iter().enumerate() {
            let k = v.trim().to_lowercase().replace([' ', '_'], "-");
            if k.is_empty()
                || k.len() > 64
                || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                self.fail(
                    &format!("{field}[{i}]"),
                    "must be a kebab-case keyword of at most 64 characters",
                );
            } else if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }

    /// A two-letter country code, uppercased.
    pub fn country(&mut self, field: &str, value: &Option<String>) -> Option<String> {
        let v = value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())?
            .to_uppercase();
        if v.len() != 2 || !v.chars().all(|c| c.is_ascii_uppercase()) {
            self.fail(field, "must be an ISO 3166 alpha-2 code such as \"GB\"");
        }
        Some(v)
    }

    /// `later` must not come before `earlier`.
    pub fn not_before(
        &mut self,
        field: &str,
        later: Option<NaiveDate>,
        earlier: Option<NaiveDate>,
        earlier_name: &str,
    ) {
        if let (Some(l), Some(e)) = (later, earlier) {
            if l < e {
                self.fail(
                    field,
                    format!("({l}) must not be before {earlier_name} ({e})"),
                );
            }
        }
    }

    /// An existing record of `kind`: its id (0 after a failure, which `finish` reports).
    pub async fn reference<C: ConnectionTrait>(
        &mut self,
        db: &C,
        field: &str,
        to: &RecordRef,
        kind: RecordKind,
    ) -> AppResult<i64> {
        Ok(self
            .any_reference(db, field, to, &[kind])
            .await?
            .map_or(0, |(_, id)| id))
    }

    /// An existing record of one of `kinds`: its kind and id, or None after a failure.
    pub async fn any_reference<C: ConnectionTrait>(
        &mut self,
        db: &C,
        field: &str,
        to: &RecordRef,
        kinds: &[RecordKind],
    ) -> AppResult<Option<(RecordKind, i64)>> {
        let names: Vec<&str> = kinds.iter().map(|k| ids::type_name(*k)).collect();
        let names = names.join(" or ");
        match to {
            RecordRef::Id(global) => match ids::decode(global) {
                Ok((kind, id)) if kinds.contains(&kind) => {
                    if !records::exists(db, kind, id).await? {
                        self.fail(field, format!("no {} with this id", ids::type_name(kind)));
                    }
                    Ok(Some((kind, id)))
                }
                _ => {
                    let article = if kinds.len() == 1 {
                        "is not"
                    } else {
                        "must be"
                    };
                    self.fail(field, format!("{article} the id of a {names}"));
                    Ok(None)
                }
            },
            RecordRef::Slug { kind, slug } => {
                let kind = match (kind, kinds) {
                    (Some(k), _) if kinds.contains(k) => *k,
                    (None, [only]) => *only,
                    _ => {
                        self.fail(field, format!("must name a {names} by kind and slug"));
                        return Ok(None);
                    }
                };
                match records::id_by_slug(db, kind, slug).await? {
                    Some(id) => Ok(Some((kind, id))),
                    None => {
                        let name = ids::type_name(kind);
                        self.fail(field, format!("no {name} with the slug {slug:?}"));
                        Ok(None)
                    }
                }
            }
        }
    }

    /// BAD_USER_INPUT listing every field error, or Ok.
    pub fn finish(self) -> AppResult<()> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let summary: Vec<String> = self
            .errors
            .iter()
            .map(|e| format!("{} {}", e.field, e.message))
            .collect();
        Err(AppError::BadUserInput {
            message: format!("invalid input: {}", summary.join("; ")),
            fields: self.errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(c: Check) -> Vec<String> {
        match c.finish() {
            Ok(()) => Vec::new(),
            Err(AppError::BadUserInput { fields, .. }) => {
                fields.into_iter().map(|f| f.field).collect()
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_field() {
        let mut c = Check::default();
        assert_eq!(c.text("name", "  Foo  ", 10), "Foo");
        c.text("title", "   ", 10);
        c.text("summary", "x".repeat(11).as_str(), 10);
        assert_eq!(c.opt_text("note", &Some("  ".into()), 5), None);
        c.opt_text("rationale", &Some("toolong".into()), 5);
        assert_eq!(fields(c), ["title", "summary", "rationale"]);
    }

    #[test]
    fn slugs_urls_keywords_and_countries() {
        let mut c = Check::default();
        for good in ["freedom-online-coalition", "eo-14199", "a"] {
            c.slug(good);
        }
        assert!(fields(c).is_empty());
        for bad in [
            "",
            "Capital",
            "double--hyphen",
            "-lead",
            "trail-",
            "under_score",
            "é",
        ] {
            let mut c = Check::default();
            c.slug(bad);
            assert_eq!(fields(c), ["slug"], "{bad:?} passed");
        }
        let long = "a".repeat(161);
        let mut c = Check::default();
        c.slug(&long);
        assert_eq!(fields(c), ["slug"]);

        let mut c = Check::default();
        c.url("ok", &Some("https://example.org/a".into()));
        c.url("ftp", &Some("ftp://example.org/a".into()));
        c.url("relative", &Some("/a".into()));
        c.url("none", &None);
        assert_eq!(fields(c), ["ftp", "relative"]);

        let mut c = Check::default();
        let kept = c.keywords(
            "topics",
            &["AI Safety".into(), "ai_safety".into(), "x y!".into()],
        );
        assert_eq!(kept, ["ai-safety"]);
        assert_eq!(fields(c), ["topics[2]"]);

        let mut c = Check::default();
        assert_eq!(
            c.country("code", &Some(" gb ".into())).as_deref(),
            Some("GB")
        );
        c.country("three", &Some("GBR".into()));
        c.country("digits", &Some("1A".into()));
        assert_eq!(c.country("none", &Some(" ".into())), None);
        assert_eq!(fields(c), ["three", "digits"]);
    }

    #[test]
    fn dates_keep_their_order() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut c = Check::default();
        c.not_before(
            "effectiveOn",
            d("2026-01-07"),
            d("2026-01-07"),
            "announcedOn",
        );
        c.not_before("effectiveOn", None, d("2026-01-07"), "announcedOn");
        assert!(fields(c).is_empty());
        let mut c = Check::default();
        c.not_before(
            "effectiveOn",
            d("2026-01-06"),
            d("2026-01-07"),
            "announcedOn",
        );
        assert_eq!(fields(c), ["effectiveOn"]);
    }
}
