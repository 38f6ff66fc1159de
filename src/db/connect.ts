import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { DataDirOwner } from './data-dir-owner.js';
import { type EmbeddedOptions, startEmbeddedPostgres } from './embedded-postgres.js';
import type { ConnectionParts } from './orm.js';

export interface ResolvedDatabase {
  connection: ConnectionParts;
  /** Stops the embedded cluster this process started; a no-op for an external or a joined one. */
  stop(): Promise<void>;
  /** Asks this process's embedded cluster to stop without waiting (an exit that cannot wait). */
  kill(): void;
  /** The server is shutting down: its embedded cluster is not restarted any more if it exits. */
  endSupervision(): void;
  embedded: boolean;
  /** The running Kezek server whose embedded cluster this process uses (command-line tools beside `npm start`). */
  joined?: DataDirOwner;
}

/**
 * The database named by DATABASE_URL, or the embedded cluster in the data folder: started by this
 * process, or (with `join`, for command-line tools) the one a running `npm start` already serves.
 */
export async function resolveConnection(config: Config, log: Logger, options: EmbeddedOptions = {}): Promise<ResolvedDatabase> {
  if (config.database.kind === 'url') {
    const { kind: _kind, ...connection } = config.database;
    return { connection, stop: async () => {}, kill: () => {}, endSupervision: () => {}, embedded: false };
  }
  const db = await startEmbeddedPostgres(config.dataDir, 'kezek', log, options);
  return { connection: db.connection, stop: db.stop, kill: db.kill, endSupervision: db.endSupervision, embedded: true, joined: db.joined };
}

/** How a command-line tool names itself in the data folder's owner record ("npm run seed"). */
export function toolCommand(): string {
  const script = process.env.npm_lifecycle_event;
  return script ? (script === 'start' ? 'npm start' : `npm run ${script}`) : `node ${process.argv[1] ?? ''}`.trim();
}
