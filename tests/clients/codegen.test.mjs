// GraphQL Code Generator, pointed at the running server (it introspects the URL), types a
// tracker's operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { endpoint } from './lib.mjs';

test('codegen types operations from the server URL', async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'exodus-codegen-')), 'types.ts');
  await generate(
    {
      schema: endpoint,
      documents: new URL('./documents/*.graphql', import.meta.url).pathname,
      generates: { [out]: { plugins: ['typescript', 'typescript-operations'] } },
      silent: true,
    },
    true,
  );
  const types = await readFile(out, 'utf8');
  assert.match(types, /export type InternetBodiesQuery = /);
  assert.match(types, /export type ChangesSubscription = /);
  assert.match(types, /export type ReactionConnection = /);
  // The custom scalars came through introspection with their names.
  assert.match(types, /\bDateTime: \{ input: \w+; output: \w+; \}/);
});
