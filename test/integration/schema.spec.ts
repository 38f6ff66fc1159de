// Artefacts that must stay in step with the code: the published SDL, the migration list, and the
// database schema the migrations build versus the one the entities describe.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';
import { printSchemaFile } from '../../src/schema/print.js';
import { MIGRATIONS } from '../../migrations/index.js';

let orm: Orm;
beforeAll(async () => (orm = await initOrm(inject('db'), createLogger('silent'), 2)));
afterAll(() => orm?.close(true));

describe('schema artefacts', () => {
  it('schema.graphql is current (run `npm run codegen` after changing the schema)', async () => {
    expect(fs.readFileSync('schema.graphql', 'utf8')).toBe(await printSchemaFile());
  });

  it('describes every type and every field partners see', async () => {
    const { buildKezekSchema } = await import('../../src/schema/build.js');
    const schema = await buildKezekSchema();
    const undocumented: string[] = [];
    const roots = new Set(['Query', 'Mutation', 'Subscription']);
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Boolean', 'ID', 'Float'].includes(type.name)) continue;
      if (!type.description && !roots.has(type.name)) undocumented.push(type.name);
      if (!('getFields' in type)) continue;
      for (const field of Object.values(type.getFields())) if (!field.description) undocumented.push(`${type.name}.${field.name}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('lists every migration file in migrations/index.ts', () => {
    const files = fs.readdirSync('migrations').filter((f) => /^Migration\d+.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files.sort());
  });

  it('builds with the migrations exactly the schema the entities describe', async () => {
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false });
    expect(diff.trim()).toBe('');
  });
});
