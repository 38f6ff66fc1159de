import { MikroORM, type Options, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';
import { ENTITIES } from '../entities/index.js';
import { MIGRATIONS } from '../../migrations/index.js';

export interface ConnectionParts {
  host: string;
  port: number;
  user: string;
  password?: string;
  dbName: string;
  ssl?: boolean;
}

export type Orm = MikroORM;

export function ormOptions(conn: ConnectionParts, log?: Logger, poolMax = 20): Options {
  return defineConfig({
    entities: ENTITIES,
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    dbName: conn.dbName,
    driverOptions: conn.ssl ? { connection: { ssl: true } } : undefined,
    pool: { min: 0, max: poolMax },
    // Request code must fork; a global context would leak entities between requests.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      // Listed statically: MikroORM's own file discovery imports .ts files with Node's import(),
      // which fails under vitest (STACK pitfall 8).
      migrationsList: MIGRATIONS,
      path: 'migrations',
      pathTs: 'migrations',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    debug: false,
    logger: (message) => log?.trace({ orm: message }, 'orm'),
  });
}

export async function initOrm(conn: ConnectionParts, log?: Logger, poolMax?: number): Promise<Orm> {
  return MikroORM.init(ormOptions(conn, log, poolMax));
}

/** Applies pending migrations; returns their names. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
