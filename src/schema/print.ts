import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildKezekSchema } from './build.js';

const HEADER = '# Generated from the code by `npm run codegen`. Do not edit: change src/schema and src/resolvers.\n\n';

/** The published SDL, sorted so diffs show real changes only. */
export async function printSchemaFile(): Promise<string> {
  return HEADER + printSchema(lexicographicSortSchema(await buildKezekSchema())) + '\n';
}
