// graphql-js: the standard introspection query, the schema it builds, the SDL file and the
// README's examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  parse,
  printSchema,
  validate,
} from 'graphql';
import { base, request } from './lib.mjs';

const sdl = await readFile(process.env.EXODUS_SCHEMA_FILE, 'utf8');
const fileSchema = buildSchema(sdl);

test('the full introspection query builds the same schema as schema.graphql', async () => {
  const query = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    inputValueDeprecation: true,
  });
  const introspected = buildClientSchema(await request(query));
  assert.equal(
    printSchema(lexicographicSortSchema(introspected)),
    printSchema(lexicographicSortSchema(fileSchema)),
  );
});

test('GET /schema.graphql is schema.graphql', async () => {
  const response = await fetch(`${base}/schema.graphql`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), sdl);
});

test("the README's GraphQL examples are valid against the schema", async () => {
  const readme = await readFile(process.env.EXODUS_README, 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 5, `found ${blocks.length} examples`);
  for (const block of blocks) {
    const errors = validate(fileSchema, parse(block));
    assert.deepEqual(errors.map((e) => e.message), [], block);
  }
});
