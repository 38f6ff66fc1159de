// Starts one real PostgreSQL for the whole run (embedded in a temporary folder, unless DATABASE_URL
// is set), applies the migrations once, and hands the connection to every test file.
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
  await orm.close(true);
  project.provide('db', connection);

  return async () => {
    await stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
