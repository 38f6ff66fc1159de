// Starts one real PostgreSQL for the whole run (embedded in a temporary folder, unless DATABASE_URL
// is set), applies the migrations once, and hands the connection to every test file. It also keeps
// a migrated, empty template database that freshDatabase() copies, instead of migrating each anew.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { initOrm, migrate, type ConnectionParts } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';
import { buildWeb } from '../../web/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    db: ConnectionParts;
    /** A migrated database nobody connects to, for `CREATE DATABASE … TEMPLATE` (test/support/fresh-database.ts). */
    dbTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const log = createLogger('warn');
  // The suite verifies links with the demo adapter (see TestApi); with DATABASE_URL it must say so.
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, IDENTITY_REGISTRY: 'demo' });
  let connection: ConnectionParts;
  let stop = async () => {};
  let dataDir: string | undefined;
  if (config.database.kind === 'url') {
    const { kind: _kind, ...parts } = config.database;
    connection = parts;
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-test-'));
    fs.chmodSync(dataDir, 0o755); // the postgres OS user (when tests run as root) must reach it
    const db = await startEmbeddedPostgres(dataDir, 'kezek_test', log);
    connection = db.connection;
    stop = db.stop;
  }
  // The pages the server serves (and the browser tests open) are built from web/src first.
  await buildWeb();
  const orm = await initOrm(connection, log, 2);
  await migrate(orm);
  // The template: migrated once here; copying it takes a tenth of migrating a new database.
  const template = `kezek_template_${randomBytes(4).toString('hex')}`;
  await orm.em.getConnection().execute(`create database "${template}"`);
  const templateOrm = await initOrm({ ...connection, dbName: template }, log, 1);
  await migrate(templateOrm);
  await templateOrm.close(true);
  await orm.close(true);
  project.provide('db', connection);
  project.provide('dbTemplate', template);

  return async () => {
    // With DATABASE_URL the server outlives the run: leave no template behind.
    if (!dataDir) {
      const admin = await initOrm(connection, log, 1);
      await admin.em.getConnection().execute(`drop database if exists "${template}" with (force)`);
      await admin.close(true);
    }
    await stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
