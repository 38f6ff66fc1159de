// npm start — the Kezek API: configuration → database (embedded unless DATABASE_URL) → migrations →
// demo data on an empty database → HTTP + graphql-ws. SIGTERM/SIGINT shut it down in order.
import 'reflect-metadata';
import { systemClock } from './clock.js';
import { createTokenService } from './auth/tokens.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type OpenDatabase, openDatabase } from './db/bootstrap.js';
import { DataDirInUseError } from './db/embedded-postgres.js';
import { Provider } from './entities/index.js';
import { type KezekServer, startServer } from './http/server.js';
import { ClaimVerifier } from './identity/claim-verifier.js';
import { createIdentityRegistry } from './identity/registry.js';
import { Scheduler } from './jobs/scheduler.js';
import { SmsDispatcher } from './notifications/sms-dispatcher.js';
import { createSmsTransport } from './notifications/transports.js';
import { createLogger } from './logger.js';
import { seedDemoCatalogue } from './seed/demo-data.js';

const SHUTDOWN_TIMEOUT_MS = 20_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // embedded-postgres installs signal handlers that stop the database and exit at once, before
  // open requests finish. Kezek shuts down in its own order instead.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.removeAllListeners(signal);

  let database: OpenDatabase | undefined;
  let server: KezekServer;
  const registry = createIdentityRegistry(config.registry, log);
  try {
    // The data folder's cluster is this process's alone: a second `npm start` refuses (see claimDataDir),
    // while `npm run seed`/`migrate` use it beside us. If it exits, it is started again.
    database = await openDatabase(config, log, undefined, { command: 'npm start', shared: true, supervise: true });
    if (config.seedDemoData && (await database.orm.em.fork().count(Provider, {})) === 0) {
      const loaded = await seedDemoCatalogue(database.orm.em.fork());
      log.info(loaded, 'demo data loaded into the empty database');
    }
    server = await startServer({
      orm: database.orm,
      tokens: createTokenService(config),
      log,
      port: config.port,
      host: config.host,
      listenSocket: config.listenSocket,
      introspection: config.introspection,
      development: config.development,
      listen: database.db.connection,
      rateLimits: config.rateLimits,
      trustProxy: config.trustProxy,
      apiKeyRecheckMs: config.apiKeyRecheckMs,
      registry,
    });
  } catch (err) {
    // Nothing may stay behind a failed start: the cluster this process started is stopped.
    await database?.close().catch((closeErr: unknown) => log.error({ err: closeErr }, 'stopping the database after a failed start failed'));
    const expected = expectedStartFailure(err, config);
    if (!expected) throw err;
    process.stderr.write(`Kezek could not start: ${expected}\n`);
    process.exit(1);
  }
  const db = database;

  const scheduler = new Scheduler(db.orm, log, config.jobsIntervalMs, systemClock);
  const dispatcher = new SmsDispatcher(db.orm, createSmsTransport(config.sms, log), log, {
    intervalMs: config.sms.dispatchIntervalMs,
    maxAttempts: config.sms.maxAttempts,
    leaseMs: Math.max(60_000, config.sms.webhookTimeoutMs * 2),
  });
  const verifier = new ClaimVerifier(db.orm, registry, log, config.jobsIntervalMs, systemClock);
  scheduler.start();
  dispatcher.start();
  verifier.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    db.db.endSupervision();
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      db.db.kill(); // the embedded cluster still shuts itself down (fast) after we are gone
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await server.close(); // WebSockets, then HTTP drained
      await Promise.all([scheduler.stop(), dispatcher.stop(), verifier.stop()]); // let a running batch finish
      await db.close(); // ORM, then the embedded PostgreSQL (whichever postmaster runs it now)
      log.info('stopped');
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exitCode = 1;
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
}

/**
 * A one-line explanation for failures a user causes and can fix (a busy port, a data folder in
 * use); undefined for anything else, which is reported with its stack.
 */
function expectedStartFailure(err: unknown, config: Config): string | undefined {
  if (err instanceof DataDirInUseError) return err.message;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const socket = e?.port === undefined && typeof e?.address === 'string' && e.address.includes('/');
  const where = socket ? `the socket ${e.address}` : `port ${e?.port ?? config.port}${e?.address ? ` on ${e.address}` : ''}`;
  if (e?.code === 'EADDRINUSE') {
    return `${where} is already in use (another Kezek or another program). Stop it, or set ${socket ? 'LISTEN_SOCKET to another path' : 'PORT to a free port'}.`;
  }
  if (e?.code === 'EACCES') return `${where} needs privileges this process does not have. Set PORT to a port above 1023.`;
  if (e?.code === 'EADDRNOTAVAIL') return `HOST ${config.host} is not an address of this machine. Set HOST to one that is (e.g. 127.0.0.1).`;
  return undefined;
}

main().catch((err) => {
  process.stderr.write(`Kezek failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
