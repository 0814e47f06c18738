// The subscription transports with their own clients: graphql-ws (graphql-transport-ws) and
// graphql-sse (distinct connections mode). Each replays the feed from a cursor, resumes from
// any cursor it gave, goes live, and carries the editor's token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import {
  editorToken,
  endpoint,
  feedHead,
  feedStart,
  firstChanges,
  publishSource,
  socketEndpoint,
  within,
} from './lib.mjs';

const CHANGES = 'subscription($after: String) { changes(after: $after) { id cursor action recordId } }';

/** The first `n` results of a subscription, through an iterate()-style client. */
async function take(client, n, payload) {
  const got = [];
  const iterator = client.iterate(payload);
  try {
    for await (const result of iterator) {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      got.push(result.data.changes);
      if (got.length === n) break;
    }
  } finally {
    await iterator.return?.();
  }
  return got;
}

const transports = {
  'graphql-ws': (token) =>
    createWsClient({
      url: socketEndpoint,
      webSocketImpl: WebSocket,
      connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    }),
  'graphql-sse': (token) =>
    createSseClient({
      url: endpoint,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    }),
};

for (const [name, connect] of Object.entries(transports)) {
  test(`${name}: replay, resume from a cursor, live`, async () => {
    const client = connect();
    try {
      const expected = await firstChanges(4);
      const start = await feedStart();
      const replayed = await within(20000, `${name} replay`, take(client, 4, {
        query: CHANGES,
        variables: { after: start },
      }));
      assert.deepEqual(replayed, expected);
      // Resume after the second event: the third and fourth come next, nothing else.
      const resumed = await within(20000, `${name} resume`, take(client, 2, {
        query: CHANGES,
        variables: { after: replayed[1].cursor },
      }));
      assert.deepEqual(resumed, expected.slice(2));

      // Live: a source published while subscribed arrives (its PUBLISH; the draft's CREATE
      // is not public).
      const token = await editorToken();
      const slug = `client-suite-${name}-${Date.now()}`;
      // From the head: however late the subscription is in place, the change is not missed.
      const live = take(client, 1, { query: CHANGES, variables: { after: await feedHead() } });
      const id = await publishSource(token, slug);
      const [event] = await within(20000, `${name} live event`, live);
      assert.equal(event.action, 'PUBLISH');
      assert.equal(event.recordId, id);
    } finally {
      await client.dispose();
    }
  });

  test(`${name}: the editor's token goes along`, async () => {
    const token = await editorToken();
    const client = connect(token);
    try {
      const [me] = await within(20000, `${name} signed-in query`, (async () => {
        const got = [];
        for await (const result of client.iterate({ query: '{ me { email } }' })) {
          got.push(result);
        }
        return got;
      })());
      assert.equal(me.data.me.email, process.env.EXODUS_EDITOR_EMAIL);
    } finally {
      await client.dispose();
    }
  });
}
