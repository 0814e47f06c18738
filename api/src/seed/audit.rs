//! What `exodus seed --check` asks of a dataset beyond the editors' validation, read from the
//! throwaway database it was loaded into: every record stands on a usable source under the
//! confidence rule, every source's URL is a document, and time-bound statuses are current.

use super::Problem;
use crate::service::confidence::host;
use crate::service::curated::Curated;
use chrono::NaiveDate;
use entity::enums::{Confidence, RecordKind, WithdrawalStatus};
use entity::{organization, source, withdrawal};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use std::collections::HashSet;

/// The problems (which fail the check) and the notices (which only inform) of a loaded
/// dataset, as of `today`.
pub async fn audit<C: ConnectionTrait>(
    db: &C,
    today: NaiveDate,
) -> anyhow::Result<(Vec<Problem>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let mut notices = Vec::new();
    unsupported::<organization::Entity, _>(db, &mut problems).await?;
    unsupported::<entity::instrument::Entity, _>(db, &mut problems).await?;
    unsupported::<withdrawal::Entity, _>(db, &mut problems).await?;
    unsupported::<entity::stakeholder::Entity, _>(db, &mut problems).await?;
    unsupported::<entity::reaction::Entity, _>(db, &mut problems).await?;
    unsupported::<entity::pact::Entity, _>(db, &mut problems).await?;
    unsupported::<entity::correction::Entity, _>(db, &mut problems).await?;

    // An organization's own site may be cited by its home page: it is the organization itself.
    let own_sites: HashSet<String> = organization::Entity::find()
        .all(db)
        .await?
        .iter()
        .filter_map(|o| o.website.as_deref().map(|w| host(w).to_lowercase()))
        .collect();
    for s in source::Entity::find()
        .order_by_asc(source::Column::Id)
        .all(db)
        .await?
    {
        if let Some(why) = not_a_document(&s, &own_sites) {
            problems.push(problem(RecordKind::Source, &s.slug, "url", why));
        }
    }

    for w in withdrawal::Entity::find()
        .order_by_asc(withdrawal::Column::Id)
        .all(db)
        .await?
    {
        let pending = matches!(
            w.withdrawal_status,
            WithdrawalStatus::Announced | WithdrawalStatus::NoticeGiven
        );
        if let Some(on) = w.effective_on.filter(|on| pending && *on <= today) {
            notices.push(problem(
                RecordKind::Withdrawal,
                &w.slug,
                "withdrawalStatus",
                format!(
                    "is {} but the effective date {on} has passed: record what happened (EFFECTIVE or REVERSED), with a source",
                    w.withdrawal_status.as_str()
                ),
            ));
        }
    }
    Ok((problems, notices))
}

fn problem(kind: RecordKind, slug: &str, field: &str, message: impl Into<String>) -> Problem {
    Problem {
        kind,
        slug: slug.to_owned(),
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// Records that no usable source supports: the dataset publishes nothing UNCONFIRMED.
async fn unsupported<E: Curated, C: ConnectionTrait>(
    db: &C,
    problems: &mut Vec<Problem>,
) -> anyhow::Result<()> {
    for model in E::find().all(db).await? {
        let (confidence, reason, _, _) = E::confidence_of(&model);
        if confidence == Confidence::Unconfirmed {
            problems.push(problem(
                E::KIND,
                E::slug_of(&model),
                "sources",
                format!("support nothing under the confidence rule: {reason}"),
            ));
        }
    }
    Ok(())
}

/// Why a source's URL is not a document, if it is not: flagged as such, a home page (unless
/// the organization's own), a search page, a dated archive or section index, or cut short.
pub fn not_a_document(s: &source::Model, own_sites: &HashSet<String>) -> Option<String> {
    if !s.points_to_document {
        return Some("is marked as not the document itself (pointsToDocument: false); find the document's own address".into());
    }
    let url = s.url.as_str();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some("is not an absolute URL".into());
    };
    if scheme != "http" && scheme != "https" {
        return Some("is not an http(s) URL".into());
    }
    if url.contains("...") || url.contains('…') {
        return Some("is cut short (it contains an ellipsis)".into());
    }
    let after_host = &rest[rest.find(['/', '?', '#']).unwrap_or(rest.len())..];
    let (path, query) = after_host
        .split_once('?')
        .map_or((after_host, ""), |(p, q)| (p, q));
    let path = path.split('#').next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let site = host(url).to_lowercase();
    if segments.is_empty() && query.is_empty() && !own_sites.contains(&site) {
        return Some("is a home page, which supports nothing (only an organization's own site may be cited so)".into());
    }
    let searchy = segments.iter().any(|p| p.eq_ignore_ascii_case("search"))
        || query
            .split('&')
            .any(|kv| matches!(kv.split('=').next(), Some("q" | "s" | "query" | "search")));
    if searchy {
        return Some("is a search page, not a document".into());
    }
    if path.ends_with('/') {
        // `…/2025/07/22/`: the index of a day, not an article of it.
        let digits = |p: &str, max: usize| {
            !p.is_empty() && p.len() <= max && p.chars().all(|c| c.is_ascii_digit())
        };
        let n = segments.len();
        let dated = n >= 3
            && segments[n - 3].len() == 4
            && digits(segments[n - 3], 4)
            && digits(segments[n - 2], 2)
            && digits(segments[n - 1], 2);
        if dated {
            return Some("is a dated archive page, not a document".into());
        }
        // `/executive-orders/`: one short name is a section; an article's slug is a phrase.
        let last = segments.last().copied().unwrap_or("");
        let words = last.split(['-', '_']).filter(|w| !w.is_empty()).count();
        if n == 1 && words < 3 && !last.chars().any(|c| c.is_ascii_digit()) {
            return Some("is a section page, not a document".into());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(url: &str) -> source::Model {
        let mut s: source::Model = serde_json::from_value(serde_json::json!({
            "id": 1, "slug": "s", "status": "PUBLISHED", "confidence": "CONFIRMED", "version": 1,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "created_by": null, "updated_by": null, "url": url, "title": "t",
            "publisher": null, "published_on": null, "retrieved_on": null,
            "is_mirror": false, "note": null
        }))
        .unwrap();
        s.url = url.to_owned();
        s
    }

    #[test]
    fn the_issues_examples_are_not_documents() {
        let none = HashSet::new();
        for url in [
            "https://thefollowup.ai/",
            "https://www.devdiscourse.com/",
            "https://townhall.com/tipsheet/katiepavlich/2025/07/22/",
            "https://47-watch.com/executive-orders/",
            "https://tengele.com/search?q=Abdisaid+Ali",
            "https://example.org/an-article-cut-short...",
            "ftp://example.org/file",
        ] {
            assert!(not_a_document(&at(url), &none).is_some(), "{url}");
        }
        for url in [
            "https://www.govinfo.gov/content/pkg/FR-2025-02-10/html/2025-02504.htm",
            "https://www.eurointegration.com.ua/news/2026/01/9/7228748/",
            "https://nomusica.com/?p=52440",
            "https://k2radio.com/wyoming-hageman-trump-directive/",
            "https://www.newsmax.com/us/un-trump/2026/01/07/id/1241220/",
        ] {
            assert_eq!(not_a_document(&at(url), &none), None, "{url}");
        }
        let own: HashSet<String> = ["freedomonlinecoalition.com".to_owned()].into();
        assert_eq!(
            not_a_document(&at("https://freedomonlinecoalition.com/"), &own),
            None
        );
        let mut flagged = at("https://www.govinfo.gov/app/collection/fr");
        flagged.points_to_document = false;
        assert!(not_a_document(&flagged, &none).is_some());
    }
}
