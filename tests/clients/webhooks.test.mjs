// Webhooks as a Node.js receiver gets them: an admin registers a hook through GraphQL, a plain
// node:http server receives the deliveries and verifies each with `standardwebhooks`, the
// Standard Webhooks specification's own JavaScript library (the README's example, verbatim
// in spirit). A wrong secret must fail verification, so the check can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { publishSource, request, within } from './lib.mjs';

const REGISTER = `mutation($i: WebhookInput!) {
  registerWebhook(input: $i) { secret webhook { id url } } }`;

test('a Node receiver verifies deliveries with the standardwebhooks library', async () => {
  const admin = process.env.EXODUS_ADMIN_TOKEN;
  assert.ok(admin, 'the runner mints an admin token');
  const received = [];
  let secret;
  let arrived;
  const first = new Promise((resolve) => { arrived = resolve; });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        // Throws unless the signature, id and timestamp check out.
        const payload = new Webhook(secret).verify(body, req.headers);
        assert.throws(() => new Webhook('whsec_' + Buffer.alloc(24).toString('base64')).verify(body, req.headers));
        received.push(payload);
        res.writeHead(204).end();
        arrived();
      } catch (e) {
        res.writeHead(401).end(String(e));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/exodus`;
    const made = await request(REGISTER, { i: { url, kinds: ['SOURCE'], description: 'node suite' } }, admin);
    secret = made.registerWebhook.secret;
    assert.match(secret, /^whsec_/);
    const id = await publishSource(process.env.EXODUS_EDITOR_TOKEN, `webhook-node-${Date.now()}`);
    await within(20000, 'the delivery', first);
    const event = received[0];
    assert.equal(event.type, 'exodus.change');
    assert.equal(event.data.recordId, id);
    assert.equal(event.data.action, 'PUBLISH');
    assert.equal(event.data.node.__typename, 'Source');
    // The delivery log says so too.
    const log = await request(
      'query($id: ID!) { webhook(id: $id) { deliveries { edges { node { delivered statusCode messageId } } } } }',
      { id: made.registerWebhook.webhook.id },
      admin,
    );
    const attempt = log.webhook.deliveries.edges[0].node;
    assert.equal(attempt.delivered, true);
    assert.equal(attempt.statusCode, 204);
    assert.equal(attempt.messageId, event.data.id);
  } finally {
    server.close();
  }
});
