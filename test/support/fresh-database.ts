// A database of a test's own in the run's PostgreSQL, migrated: for specs whose world must not
// share queues, settlements or scheduler jobs with the files running beside them.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type ConnectionParts, initOrm, migrate } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';

/**
 * A fresh database with the migrations applied; `drop()` removes it. It is a copy of the run's
 * migrated template (test/support/global-setup.ts), or, without one, migrated here.
 */
export async function freshDatabase(prefix = 'kezek_world'): Promise<{ db: ConnectionParts; drop: () => Promise<void> }> {
  const shared = inject('db');
  const template = inject('dbTemplate');
  const db = { ...shared, dbName: `${prefix}_${randomUUID().slice(0, 8)}` };
  const admin = await initOrm(shared, createLogger('silent'), 1);
  if (template) {
    await admin.em.getConnection().execute(`create database "${db.dbName}" template "${template}"`);
  } else {
    await admin.em.getConnection().execute(`create database "${db.dbName}"`);
    const orm = await initOrm(db, createLogger('silent'), 2);
    await migrate(orm);
    await orm.close(true);
  }
  return {
    db,
    drop: async () => {
      await admin.em.getConnection().execute(`drop database if exists "${db.dbName}" with (force)`);
      await admin.close(true);
    },
  };
}
