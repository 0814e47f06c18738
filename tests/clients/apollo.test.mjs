// Apollo Client 4 as a tracker's frontend uses it: relay-style pagination merged in the
// normalized cache (top-level and nested lists), and subscriptions through GraphQLWsLink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { endpoint, feedStart, firstChanges, socketEndpoint, within } from './lib.mjs';

function apollo() {
  const socket = createClient({ url: socketEndpoint, webSocketImpl: WebSocket, lazy: true });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(socket),
    new HttpLink({ uri: endpoint }),
  );
  const cache = new InMemoryCache({
    typePolicies: {
      Query: { fields: { withdrawals: relayStylePagination(['filter', 'orderBy']) } },
      Withdrawal: { fields: { reactions: relayStylePagination() } },
    },
  });
  return { client: new ApolloClient({ link, cache }), socket };
}

/** Every page of a list, fetched as fetchMore does (from the network, merged into the cached
 * list by the field policy); the merged list as the cache holds it. */
async function everyPage(client, query, variables, list) {
  let page = list((await client.query({ query, variables })).data);
  for (let pages = 1; page.pageInfo.hasNextPage; pages++) {
    assert.ok(pages < 100, 'the pages end');
    const more = await client.query({
      query,
      variables: { ...variables, after: page.pageInfo.endCursor },
      fetchPolicy: 'network-only',
    });
    page = list(more.data);
  }
  return list(client.readQuery({ query, variables }));
}

const WITHDRAWALS = gql`
  query Withdrawals($after: String) {
    withdrawals(first: 10, after: $after) {
      totalCount
      edges { cursor node { id slug } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

test('pages merge into one list in the cache, every record once', async () => {
  const { client, socket } = apollo();
  try {
    const merged = await everyPage(client, WITHDRAWALS, {}, (data) => data.withdrawals);
    const ids = merged.edges.map((e) => e.node.id);
    assert.equal(ids.length, merged.totalCount);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(merged.pageInfo.hasNextPage, false);
  } finally {
    await socket.dispose();
  }
});

const REACTIONS = gql`
  query Reactions($slug: String!, $after: String) {
    withdrawal(slug: $slug) {
      id
      reactions(first: 1, after: $after) {
        totalCount
        edges { cursor node { id stance } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

test("a withdrawal's reactions page in the cache too", async () => {
  const { client, socket } = apollo();
  try {
    const slug = 'freedom-online-coalition-withdrawal';
    const merged = await everyPage(client, REACTIONS, { slug }, (data) => data.withdrawal.reactions);
    assert.ok(merged.totalCount >= 2, `${merged.totalCount} reactions`);
    const ids = merged.edges.map((e) => e.node.id);
    assert.equal(ids.length, merged.totalCount);
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    await socket.dispose();
  }
});

test('a subscription through GraphQLWsLink replays the feed, one cache entry per event', async () => {
  const { client, socket } = apollo();
  try {
    const expected = await firstChanges(5);
    const after = await feedStart();
    const events = await within(
      20000,
      'five events over GraphQLWsLink',
      new Promise((resolve, reject) => {
        const got = [];
        const subscription = client
          .subscribe({
            query: gql`
              subscription Changes($after: String) {
                changes(after: $after) { id cursor action recordId }
              }
            `,
            variables: { after },
          })
          .subscribe({
            next: ({ data, error }) => {
              if (error) return reject(error);
              got.push(data.changes);
              if (got.length === 5) {
                subscription.unsubscribe();
                resolve(got);
              }
            },
            error: reject,
          });
      }),
    );
    assert.deepEqual(
      events.map(({ id, cursor, action, recordId }) => ({ id, cursor, action, recordId })),
      expected,
    );
    const cached = Object.keys(client.cache.extract()).filter((k) => k.startsWith('ChangeEvent:'));
    assert.equal(cached.length, 5, 'each event is its own cache entry');
  } finally {
    await socket.dispose();
  }
});

test("an editor signs in, and the token goes along with Apollo's requests", async () => {
  const signIn = new ApolloClient({ link: new HttpLink({ uri: endpoint }), cache: new InMemoryCache() });
  const { data: signedIn } = await signIn.mutate({
    mutation: gql`
      mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { token } }
    `,
    variables: { e: process.env.EXODUS_EDITOR_EMAIL, p: process.env.EXODUS_EDITOR_PASSWORD },
  });
  const token = signedIn.login.token;
  const client = new ApolloClient({
    link: new HttpLink({ uri: endpoint, headers: { authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache(),
  });
  const { data } = await client.query({ query: gql`{ me { email role } }` });
  assert.equal(data.me.email, process.env.EXODUS_EDITOR_EMAIL);
});
