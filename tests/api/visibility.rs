//! The visibility rule's regressions (issue 13): each a way hidden content once reached the
//! public, tested as an anonymous reader would meet it, next to what an editor sees.

use crate::canary::refs;
use entity::enums::EditorRole;
use harness::{backend_tests, serde_json::json, TestApp};

backend_tests!(replacement_claims_show_only_while_both_ends_are_visible,);

async fn replacement_claims_show_only_while_both_ends_are_visible(app: TestApp) {
    let token = app.editor("vis@example.org", EditorRole::Editor).await;
    let r = refs(&app).await;
    let pact = |slug: &str, claims: serde_json::Value| {
        json!({ "slug": slug, "title": slug, "kind": "BILATERAL", "pactStatus": "PROPOSED",
                "summary": "A pact.", "replaces": claims })
    };
    let create = "mutation($input: PactInput!) { createPact(input: $input) { id version } }";
    // A draft pact claiming to replace a published organization and withdrawal.
    let claims = json!([
        { "organizationId": r.organization, "note": "zqclaim of a draft pact" },
        { "withdrawalId": r.withdrawal, "note": "zqclaim of a draft pact" },
    ]);
    let input = pact("zq-draft-pact", claims);
    app.data_as(&token, create, json!({ "input": input })).await;
    // A published pact claiming to replace a draft organization.
    let org = json!({ "slug": "zq-hidden-org", "name": "Hidden", "kind": "MULTISTAKEHOLDER",
                      "digitalRelevance": "NONE", "description": "Hidden." });
    let hidden = app
        .data_as(
            &token,
            "mutation($input: OrganizationInput!) { createOrganization(input: $input) { id } }",
            json!({ "input": org }),
        )
        .await;
    let claims = json!([{ "organizationId": hidden["createOrganization"]["id"], "note": "zqclaim about a draft" }]);
    let input = pact("zq-public-pact", claims);
    let made = app.data_as(&token, create, json!({ "input": input })).await;
    let id = made["createPact"]["id"].clone();
    let attach = "mutation($r: ID!, $s: ID!) { attachSource(recordId: $r, sourceId: $s) { ... on Pact { version } } }";
    let attached = app
        .data_as(&token, attach, json!({ "r": id, "s": r.source }))
        .await;
    let version = attached["attachSource"]["version"].clone();
    let publish = "mutation($id: ID!, $v: Int!) { publish(id: $id, expectedVersion: $v) { ... on Pact { status } } }";
    let published = app
        .data_as(&token, publish, json!({ "id": id, "v": version }))
        .await;
    assert_eq!(published["publish"]["status"], "PUBLISHED");

    let read = r#"{
        o: organization(slug: "freedom-online-coalition") { replacedBy { note } }
        w: withdrawal(slug: "freedom-online-coalition-withdrawal") { replacedBy { note } }
        p: pact(slug: "zq-public-pact") { replaces { note organization { id } } }
    }"#;
    // Editors see every claim (so the public's answer below is not empty by accident).
    let seen = app.data_as(&token, read, json!({})).await.to_string();
    assert_eq!(seen.matches("zqclaim of a draft pact").count(), 2, "{seen}");
    assert!(seen.contains("zqclaim about a draft"), "{seen}");
    // The public sees the published pact, and no claim with a hidden end.
    let public = app.data(read, json!({})).await;
    assert_eq!(public["p"]["replaces"], json!([]), "{public}");
    assert!(!public.to_string().contains("zqclaim"), "{public}");
}
