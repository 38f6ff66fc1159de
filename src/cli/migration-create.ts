// npm run migration:create -- [name]
// Brings the database up to date, then writes a migration with the difference between the entities
// and the database. Add the new file to migrations/index.ts (a test fails until you do).
import { loadConfig } from '../config.js';
import { resolveConnection, toolCommand } from '../db/connect.js';
import { initOrm, migrate } from '../db/orm.js';
import { createLogger } from '../logger.js';

const name = process.argv[2];
const log = createLogger('warn');
// Beside a running `npm start`, its embedded cluster is used (and left running).
const db = await resolveConnection(loadConfig(), log, { command: toolCommand(), join: true });
const orm = await initOrm(db.connection, log);
try {
  await migrate(orm);
  const result = await orm.getMigrator().createMigration('migrations', false, false, name);
  if (!result.fileName) console.log('No changes: entities and database agree.');
  else console.log(`Wrote migrations/${result.fileName}; add it to migrations/index.ts.`);
} finally {
  await orm.close();
  await db.stop();
}
