// The API as `npm start` runs it: a real process on a fresh data folder with its own embedded
// PostgreSQL, demo data, HTTP and WebSocket, then SIGTERM and a check that nothing is left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-process-'));
const socketPath = path.join(dataDir, 'api.sock');
let child: ChildProcess | undefined;
let output = '';

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function startApi(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LISTEN_SOCKET: socketPath, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', IDENTITY_REGISTRY: 'demo' };
  delete env.DATABASE_URL;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Kezek API listening')) resolve();
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`API exited with ${code} before listening:\n${output}`)));
  });
}

function query(body: object): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** GET over the API's Unix socket: status, content type and body. */
function get(pathname: string, accept = '*/*'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: pathname, headers: { accept } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Processes whose command line mentions the data folder: the API's PostgreSQL, if still running. */
function processesUsing(dir: string): string[] {
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

describe('the API process', () => {
  it('starts on an empty data folder, serves the demo data, and shuts down cleanly on SIGTERM', async () => {
    await startApi();
    expect(processesUsing(dataDir).some((p) => p.includes('postgres'))).toBe(true);

    const res = await query({ query: '{ cities { code } programs(first: 5) { totalCount edges { node { title { kk ru } provider { name } } } } }' });
    expect(res.data.cities).toHaveLength(6);
    expect(res.data.programs.edges).toHaveLength(5);
    expect(res.data.programs.totalCount).toBeGreaterThan(100);
    expect(res.data.programs.edges[0].node.title.kk).toMatch(/\S/);

    // The browser pages and the explorer come from this process, built from web/.
    const dashboard = await get('/dashboard', 'text/html');
    expect(dashboard).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
    expect(dashboard.body).toContain('/assets/dashboard.js');
    expect((await get('/assets/dashboard.js')).status).toBe(200);
    expect((await get('/graphql', 'text/html')).body).toContain('/assets/explorer.js');
    expect((await get('/assets/nothing-here.js')).status).toBe(404);

    // An open WebSocket must not hold the shutdown up.
    const ws = createClient({ url: `ws+unix://${socketPath}:/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    const closed = new Promise<number>((resolve) => ws.on('closed', (event) => resolve((event as { code: number }).code)));
    await new Promise<void>((resolve) => ws.on('connected', () => resolve()));

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await closed).toBe(1001); // "going away"
    expect(output).toContain('"msg":"stopped"');
    expect(processesUsing(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'jwt-secret'))).toBe(true);
  });
});
