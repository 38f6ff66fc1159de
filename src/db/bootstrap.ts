import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { resolveConnection, type ResolvedDatabase, toolCommand } from './connect.js';
import { describeOwner } from './data-dir-owner.js';
import type { EmbeddedOptions } from './embedded-postgres.js';
import { initOrm, migrate, type Orm } from './orm.js';

export interface OpenDatabase {
  orm: Orm;
  db: ResolvedDatabase;
  /** Closes the ORM, then stops the embedded cluster if there is one. */
  close(): Promise<void>;
}

/** Connects (starting the embedded cluster if needed) and applies pending migrations. */
export async function openDatabase(config: Config, log: Logger, poolMax?: number, embedded: EmbeddedOptions = {}): Promise<OpenDatabase> {
  const db = await resolveConnection(config, log, embedded);
  let orm: Orm;
  try {
    orm = await initOrm(db.connection, log, poolMax);
    const applied = await migrate(orm);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.stop();
    throw err;
  }
  return {
    orm,
    db,
    close: async () => {
      await orm.close(true);
      await db.stop();
    },
  };
}

/**
 * For command-line tools: open, run, always close, and exit non-zero with a readable message on
 * failure. Beside a running `npm start` they use its embedded cluster (and leave it running).
 */
export async function withDatabase(config: Config, log: Logger, run: (orm: Orm) => Promise<void>): Promise<void> {
  const open = await openDatabase(config, log, 4, { command: toolCommand(), join: true });
  if (open.db.joined) process.stderr.write(`Connected to the running database of ${describeOwner(open.db.joined)}.\n`);
  try {
    await run(open.orm);
  } finally {
    await open.close();
  }
}
