import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import type { ConnectionParts } from './orm.js';

export interface ResolvedDatabase {
  connection: ConnectionParts;
  /** Stops the embedded cluster; a no-op for an external server. */
  stop(): Promise<void>;
  embedded: boolean;
}

/** The database named by DATABASE_URL, or an embedded cluster started in the data folder. */
export async function resolveConnection(config: Config, log: Logger): Promise<ResolvedDatabase> {
  if (config.database.kind === 'url') {
    const { kind: _kind, ...connection } = config.database;
    return { connection, stop: async () => {}, embedded: false };
  }
  const db = await startEmbeddedPostgres(config.dataDir, 'kezek', log);
  return { connection: db.connection, stop: db.stop, embedded: true };
}
