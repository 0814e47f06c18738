"""The fixed query mixes: each query as Exodus, PostGraphile and raw SQL (pgbench) run it.

Every pair asks for the same records and the same fields, and both servers hide nothing the
other shows: PostGraphile is given `status: "PUBLISHED"` conditions where Exodus applies its
anonymous visibility rule. Parameters vary per request (slugs, cursors, statuses) so neither
server, nor PostgreSQL, answers one hot row.
"""

import random

EXODUS = {
    "record": """query Record($slug: String!) {
  organization(slug: $slug) { id slug name acronym kind digitalRelevance description }
}""",
    "page": """query Page($after: String) {
  withdrawals(first: 50, after: $after) {
    edges { node {
      id slug announcedOn withdrawalStatus
      organization { id name acronym }
      reactions(first: 5) { nodes { id stance summary reactedOn } }
    } }
    pageInfo { endCursor hasNextPage }
  }
}""",
    "filtered": """query Filtered($status: WithdrawalStatus!, $funding: Boolean!) {
  withdrawals(first: 20, orderBy: ANNOUNCED_ON_DESC,
              filter: { withdrawalStatus: [$status], fundingEnded: $funding }) {
    edges { node { id slug announcedOn withdrawalStatus organization { name } } }
  }
}""",
    # Every count and breakdown `stats` offers (PostGraphile and the raw SQL: the four totals).
    "stats": """query Stats { stats { organizations withdrawals reactions pacts
  organizationsByCategory { key count } organizationsByKind { key count }
  organizationsByDigitalRelevance { key count } withdrawalsByStatus { key count }
  reactionsByStance { key count } pactsByStatus { key count } correctionsByVerdict { key count } } }""",
    # Exodus only: PostGraphile has no full-text search without plugins.
    "search": """query Search($q: String!) {
  search(query: $q, kinds: [REACTION, ORGANIZATION], first: 20) { kind rank node { id } }
}""",
}

POSTGRAPHILE = {
    "record": """query Record($slug: String!) {
  organizationBySlug(slug: $slug) { nodeId slug name acronym kind digitalRelevance description }
}""",
    "page": """query Page($after: Cursor) {
  allWithdrawals(first: 50, after: $after, orderBy: [ANNOUNCED_ON_ASC, ID_ASC],
                 condition: { status: "PUBLISHED" }) {
    edges { node {
      nodeId slug announcedOn withdrawalStatus
      organizationByOrganizationId { nodeId name acronym }
      reactionsByWithdrawalId(first: 5, orderBy: [REACTED_ON_ASC, ID_ASC],
                              condition: { status: "PUBLISHED" }) {
        nodes { nodeId stance summary reactedOn }
      }
    } }
    pageInfo { endCursor hasNextPage }
  }
}""",
    "filtered": """query Filtered($status: String!, $funding: Boolean!) {
  allWithdrawals(first: 20, orderBy: [ANNOUNCED_ON_DESC, ID_DESC],
                 condition: { status: "PUBLISHED", withdrawalStatus: $status, fundingEnded: $funding }) {
    edges { node { nodeId slug announcedOn withdrawalStatus organizationByOrganizationId { name } } }
  }
}""",
    "stats": """query Stats {
  organizations: allOrganizations(condition: { status: "PUBLISHED" }) { totalCount }
  withdrawals: allWithdrawals(condition: { status: "PUBLISHED" }) { totalCount }
  reactions: allReactions(condition: { status: "PUBLISHED" }) { totalCount }
  pacts: allPacts(condition: { status: "PUBLISHED" }) { totalCount }
}""",
}

# PostGraphile v5 (Amber preset): the same selections in its naming, where the node id field is
# `id` and the primary key column `rowId`.
POSTGRAPHILE5 = {
    "record": """query Record($slug: String!) {
  organizationBySlug(slug: $slug) { id slug name acronym kind digitalRelevance description }
}""",
    "page": """query Page($after: Cursor) {
  allWithdrawals(first: 50, after: $after, orderBy: [ANNOUNCED_ON_ASC, ROW_ID_ASC],
                 condition: { status: "PUBLISHED" }) {
    edges { node {
      id slug announcedOn withdrawalStatus
      organizationByOrganizationId { id name acronym }
      reactionsByWithdrawalId(first: 5, orderBy: [REACTED_ON_ASC, ROW_ID_ASC],
                              condition: { status: "PUBLISHED" }) {
        nodes { id stance summary reactedOn }
      }
    } }
    pageInfo { endCursor hasNextPage }
  }
}""",
    "filtered": """query Filtered($status: String!, $funding: Boolean!) {
  allWithdrawals(first: 20, orderBy: [ANNOUNCED_ON_DESC, ROW_ID_DESC],
                 condition: { status: "PUBLISHED", withdrawalStatus: $status, fundingEnded: $funding }) {
    edges { node { id slug announcedOn withdrawalStatus organizationByOrganizationId { name } } }
  }
}""",
    "stats": POSTGRAPHILE["stats"],
}

# The SQL the same answers need, as one statement each, for pgbench. A hand-written client
# could not do with fewer round trips; this is the floor.
RAW_SQL = {
    "record": """\\set i random(1, {orgs})
SELECT id, slug, name, acronym, kind, digital_relevance, description
FROM organization WHERE slug = 'bench-org-' || ((:i)::int - (:i)::int % 20 + 1) AND status = 'PUBLISHED';
""",
    "page": """\\set d random(0, 1999)
WITH page AS (
  SELECT id, slug, announced_on, withdrawal_status, organization_id FROM withdrawal
  WHERE status = 'PUBLISHED' AND (announced_on, id) > (date '2020-01-01' + (:d)::int, 0)
  ORDER BY announced_on, id LIMIT 51)
SELECT p.id, p.slug, p.announced_on, p.withdrawal_status, o.id, o.name, o.acronym,
       r.id, r.stance, r.summary, r.reacted_on
FROM page p
LEFT JOIN organization o ON o.id = p.organization_id AND o.status = 'PUBLISHED'
LEFT JOIN LATERAL (
  SELECT id, stance, summary, reacted_on FROM reaction
  WHERE withdrawal_id = p.id AND status = 'PUBLISHED'
  ORDER BY reacted_on, id LIMIT 5) r ON true;
""",
    "filtered": """\\set s random(0, 3)
\\set f random(0, 1)
SELECT w.id, w.slug, w.announced_on, w.withdrawal_status, o.name
FROM withdrawal w LEFT JOIN organization o ON o.id = w.organization_id AND o.status = 'PUBLISHED'
WHERE w.status = 'PUBLISHED'
  AND w.withdrawal_status = (ARRAY['ANNOUNCED','NOTICE_GIVEN','EFFECTIVE','REVERSED'])[(:s)::int + 1]
  AND w.funding_ended = ((:f)::int = 1)
ORDER BY w.announced_on DESC, w.id DESC LIMIT 21;
""",
    "stats": """SELECT (SELECT count(*) FROM organization WHERE status = 'PUBLISHED'),
       (SELECT count(*) FROM withdrawal WHERE status = 'PUBLISHED'),
       (SELECT count(*) FROM reaction WHERE status = 'PUBLISHED'),
       (SELECT count(*) FROM pact WHERE status = 'PUBLISHED');
""",
}

STATUSES = ["ANNOUNCED", "NOTICE_GIVEN", "EFFECTIVE", "REVERSED"]
WORDS = ["internet", "cyber", "privacy", "spectrum", "encryption", "satellite", "registry",
         "governance", "cables", "censorship", "funding", "treaty"]


def published_slugs(units, rng, n):
    """Slugs of generated organizations that are published (every 20th is a draft)."""
    out = []
    while len(out) < n:
        i = rng.randint(1, units * 1000)
        if i % 20:
            out.append(f"bench-org-{i}")
    return out


def variables(name, units, cursors, rng, n=512):
    """n variable sets for one query; `cursors` are the page cursors of that server."""
    if name == "record":
        return [{"slug": s} for s in published_slugs(units, rng, n)]
    if name == "page":
        return [{"after": rng.choice(cursors)} for _ in range(n)]
    if name == "filtered":
        return [{"status": rng.choice(STATUSES), "funding": rng.random() < 0.5} for _ in range(n)]
    if name == "search":
        return [{"q": rng.choice(WORDS)} for _ in range(n)]
    return [{}]


def rng_for(name):
    return random.Random(f"exodus-bench-{name}")
