// The set-up every migration spec shares: a database of its own (it is taken back to before a
// migration and migrated again), the API on it, and an ORM to drive its migrator.
import { afterAll, beforeAll } from 'vitest';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';
import { TestApi } from './api.js';
import { freshDatabase } from './fresh-database.js';

/** Registers the file's hooks; `ready` receives the API and the ORM once they exist. */
export function migrationWorld(prefix: string, ready: (world: { api: TestApi; orm: Orm }) => void): void {
  let api: TestApi | undefined;
  let orm: Orm | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const fresh = await freshDatabase(prefix);
    drop = fresh.drop;
    api = await TestApi.start({ db: fresh.db });
    orm = await initOrm(fresh.db, createLogger('silent'), 1);
    ready({ api, orm });
  });
  afterAll(async () => {
    await orm?.close(true);
    await api?.close();
    await drop?.();
  });
}
