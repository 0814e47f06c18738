// PostGraphile v5 as the benchmark runs it: the Amber preset (node id field `id`, primary
// key `rowId`), conditions and orderings on every column (PgIndexBehaviorsPlugin disabled,
// as v4's defaults allow), no GraphiQL, no watch mode, no explain.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      pubsub: false,
      poolConfig: { max: Number(process.env.POOL || 10) },
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};
