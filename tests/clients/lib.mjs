// What the tests share: where Exodus is, a plain fetch for set-up, and an editor's token.
export const base = process.env.EXODUS_URL;
if (!base) throw new Error('EXODUS_URL is not set: run the suite with ./run');
export const endpoint = `${base}/graphql`;
export const socketEndpoint = endpoint.replace(/^http/, 'ws');

/** POSTs a GraphQL request and returns `data`, failing on any error. */
export async function request(query, variables = {}, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** The editor the runner created: the token it minted (`exodus token`). */
export async function editorToken() {
  return process.env.EXODUS_EDITOR_TOKEN;
}

/** The editor the runner created, signed in with the password (the `login` mutation). */
export async function login() {
  const data = await request(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
    { e: process.env.EXODUS_EDITOR_EMAIL, p: process.env.EXODUS_EDITOR_PASSWORD },
  );
  return data.login.token;
}

/** The cursor before the first change: a subscription with it as `after` replays the feed. */
export async function feedStart() {
  const data = await request('{ changes(first: 0) { pageInfo { endCursor } } }');
  return data.changes.pageInfo.endCursor;
}

/** The cursor of the last public change: a subscription with it as `after` misses nothing
 * that happens from then on, however late it is set up. */
export async function feedHead() {
  let after = await feedStart();
  for (;;) {
    const data = await request(
      'query($a: String) { changes(first: 100, after: $a) { pageInfo { hasNextPage endCursor } } }',
      { a: after },
    );
    after = data.changes.pageInfo.endCursor ?? after;
    if (!data.changes.pageInfo.hasNextPage) return after;
  }
}

/** The first `n` public changes, polled: what every transport must replay. */
export async function firstChanges(n) {
  const data = await request(
    'query($n: Int) { changes(first: $n) { edges { node { id cursor action recordId } } } }',
    { n },
  );
  return data.changes.edges.map((e) => e.node);
}

/** A draft source and its publication, by the editor; resolves to the source's id. */
export async function publishSource(token, slug) {
  const made = await request(
    'mutation($i: SourceInput!) { createSource(input: $i) { id } }',
    { i: { slug, url: `https://example.org/${slug}`, title: `Client suite ${slug}` } },
    token,
  );
  const id = made.createSource.id;
  await request('mutation($id: ID!) { publish(id: $id, expectedVersion: 1) { id } }', { id }, token);
  return id;
}

/** Rejects after `ms` with `what`, so a hung stream fails the test instead of the run. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
