// The API as `npm start` runs it, in a child process: `node --import tsx src/main.ts` (what the
// start script execs) on a data folder of its own with its own embedded PostgreSQL, reached over a
// Unix socket. Also runs the command-line tools (`npm run seed`, `migrate`) the same way.
//
//   const api = await ProcessApi.start();                 // fresh data folder, waits until listening
//   await api.graphql('{ cities { code } }');             // { data, errors }
//   await api.graphql(query, vars, await api.token({ role: 'ADMIN' }));
//   expect(await api.stop()).toBe(0);                     // SIGTERM, resolves with the exit code
//   api.remove();                                         // deletes the data folder (afterAll)
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createTokenService, type KezekClaims } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  /** Data folder (created if missing); a fresh temporary one by default. */
  dataDir?: string;
  /** Extra environment (PORT, HOST, …); the test run's own DATABASE_URL is not passed on (give one here to use it). */
  env?: NodeJS.ProcessEnv;
  /** Socket the API listens on; `<dataDir>/api.sock` by default. */
  socketPath?: string;
}

/** A spawned API process. */
export class ProcessApi {
  output = '';
  /** Resolves with the exit code when the process exits (for whatever reason). */
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly socketPath: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const collect = (chunk: Buffer) => void (this.output += chunk.toString());
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
  }

  /** Spawns the API and waits until it listens; rejects (with its output) if it exits first. */
  static async start(options: StartOptions = {}): Promise<ProcessApi> {
    const api = ProcessApi.spawn(options);
    await api.listening();
    return api;
  }

  /** Spawns the API without waiting (for starts that are meant to fail). */
  static spawn(options: StartOptions = {}): ProcessApi {
    const dataDir = options.dataDir ?? newDataDir();
    const socketPath = options.socketPath ?? path.join(dataDir, 'api.sock');
    const env = serverEnv(dataDir, { LISTEN_SOCKET: socketPath, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.env });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ProcessApi(child, dataDir, socketPath, env);
  }

  listening(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.output.includes('Kezek API listening')) resolve();
      };
      this.child.stdout!.on('data', check);
      this.child.stderr!.on('data', check);
      check();
      void this.exited.then((code) => reject(new Error(`API exited with ${code} before listening:\n${this.output}`)));
    });
  }

  /** POST /graphql over the API's socket. */
  graphql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, any> }[] }> {
    return request(this.socketPath, { method: 'POST', path: '/graphql', token, body: JSON.stringify({ query, variables }) }).then((r) => JSON.parse(r.body));
  }

  /** GET over the API's socket. */
  get(pathname: string, accept = '*/*'): Promise<{ status: number; type: string; body: string }> {
    return request(this.socketPath, { method: 'GET', path: pathname, accept });
  }

  /** A bearer token the spawned API accepts (signed with its JWT_SECRET or its data folder's secret). */
  token(claims: KezekClaims, ttlSeconds = 3600): Promise<string> {
    const tokens = createTokenService(loadConfig({ DATA_DIR: this.dataDir, JWT_SECRET: this.env.JWT_SECRET }));
    return tokens.sign!(claims, ttlSeconds);
  }

  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /** Kills the process if it still runs, and any PostgreSQL left on its data folder; then deletes the folder. */
  remove(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    for (const pid of postgresPidsUsing(this.dataDir)) process.kill(pid, 'SIGKILL');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The pid of the postmaster running this API's cluster now, if any. */
  postmasterPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      return isRunning(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A fresh temporary data folder (mode 0755: the postgres OS user must reach it when tests run as root). */
export function newDataDir(prefix = 'kezek-process-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * Runs a command-line tool as `npm run <script> -- <args>` would (src/cli/<script>.ts) on a data
 * folder, and resolves with its exit code and output.
 */
export function runTool(script: string, args: string[], dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], {
    cwd: ROOT,
    env: serverEnv(dataDir, { npm_lifecycle_event: script, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Processes whose command line mentions `dir` (an API's PostgreSQL and its backends), as "pid: command". */
export function processesUsing(dir: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmd.includes(dir) ? [`${pid}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
}

/** Whether a process runs (an exited child not yet reaped, a zombie, does not count). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function postgresPidsUsing(dir: string): number[] {
  return processesUsing(dir)
    .filter((p) => p.includes('postgres'))
    .map((p) => Number(p.split(':')[0]));
}

/** The test run's environment without its DATABASE_URL (unless `extra` gives one) and vitest's variables. */
function serverEnv(dataDir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  // vitest's own variables would make the child think it runs under a test runner.
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  return { ...env, DATA_DIR: dataDir, ...extra };
}

function request(socketPath: string, options: { method: string; path: string; token?: string; accept?: string; body?: string }): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const req = http.request({ socketPath, path: options.path, method: options.method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
