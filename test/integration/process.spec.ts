// The API as `npm start` runs it: a real process on a fresh data folder with its own embedded
// PostgreSQL, demo data, HTTP and WebSocket; the command-line tools beside it; a second start and
// a start on a busy port, which must refuse cleanly; PostgreSQL stopping under it; then SIGTERM and
// a check that nothing is left behind. One server serves all the checks, in order.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning, ProcessApi, processesUsing, runTool } from '../support/process-api.js';

let api: ProcessApi;
/** Other processes started on the same data folder (killed at the end if a check failed). */
const others: ProcessApi[] = [];

beforeAll(async () => {
  api = await ProcessApi.start();
}, 60_000);

afterAll(() => {
  for (const other of others) if (other.child.exitCode === null) other.child.kill('SIGKILL');
  api?.remove();
});

const CITIES = '{ cities { code } }';

/** What a process wrote besides its JSON log lines. */
const plainLines = (output: string) => output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));

/** Retries until `check` passes (the server finds its restarted database within a few seconds). */
async function eventually(check: () => Promise<void>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe('the API process', () => {
  it('starts on an empty data folder and serves the demo data, the pages and the explorer', async () => {
    expect(processesUsing(api.dataDir).some((p) => p.includes('postgres'))).toBe(true);

    const res = await api.graphql('{ cities { code } programs(first: 5) { totalCount edges { node { title { kk ru } provider { name } } } } }');
    expect(res.data.cities).toHaveLength(6);
    expect(res.data.programs.edges).toHaveLength(5);
    expect(res.data.programs.totalCount).toBeGreaterThan(100);
    expect(res.data.programs.edges[0].node.title.kk).toMatch(/\S/);

    // The browser pages and the explorer come from this process, built from web/.
    const dashboard = await api.get('/dashboard', 'text/html');
    expect(dashboard).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
    expect(dashboard.body).toContain('/assets/dashboard.js');
    expect((await api.get('/assets/dashboard.js')).status).toBe(200);
    expect((await api.get('/graphql', 'text/html')).body).toContain('/assets/explorer.js');
    expect((await api.get('/assets/nothing-here.js')).status).toBe(404);

    // The data folder names its owner: this process, with its start time (pids get reused).
    const owner = JSON.parse(fs.readFileSync(path.join(api.dataDir, 'owner.json'), 'utf8'));
    expect(owner).toMatchObject({ pid: api.child.pid, command: 'npm start', shared: true, startTicks: expect.stringMatching(/^\d+$/) });
  });

  it('lets npm run migrate and npm run seed use its running database, and keeps serving', async () => {
    const postmaster = api.postmasterPid();
    const migrate = await runTool('migrate', [], api.dataDir);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^Database is up to date \(\d+ migrations applied\)\.$/m);
    expect(migrate.stderr).toContain(`Connected to the running database of npm start (pid ${api.child.pid}, since `);

    const seed = await runTool('seed', [], api.dataDir);
    expect(seed.code).toBe(0);
    expect(seed.stdout).toContain('Demo data is already loaded; nothing to do.');
    expect(seed.stderr).toContain(`Connected to the running database of npm start (pid ${api.child.pid}, since `);

    // Same cluster, never stopped: the server answers as before.
    expect(api.postmasterPid()).toBe(postmaster);
    const res = await api.graphql(CITIES);
    expect(res.errors).toBeUndefined();
    expect(res.data.cities).toHaveLength(6);
    const operator = await api.token({ role: 'OPERATOR', city: 'ASTANA' });
    expect((await api.graphql('{ me { role city { code } } }', {}, operator)).data).toEqual({ me: { role: 'OPERATOR', city: { code: 'ASTANA' } } });
    expect(api.output).not.toContain('left PostgreSQL running');
  });

  it('refuses a second npm start on the same data folder in one clear line, and keeps serving', async () => {
    const second = ProcessApi.spawn({ dataDir: api.dataDir, socketPath: path.join(api.dataDir, 'second.sock') });
    others.push(second);
    expect(await second.exited).toBe(1);
    expect(plainLines(second.output)).toEqual([
      expect.stringMatching(
        new RegExp(`^Kezek could not start: npm start \\(pid ${api.child.pid}, since \\d\\d:\\d\\d:\\d\\d UTC\\) is already running on the data folder ${api.dataDir}: stop npm start first, or set DATA_DIR to another folder\\.$`),
      ),
    ]);
    expect((await api.graphql(CITIES)).data.cities).toHaveLength(6);
  });

  it('starts PostgreSQL again when it stops under the server, and SIGTERM then stops everything', async () => {
    const before = api.postmasterPid()!;
    process.kill(before, 'SIGQUIT'); // immediate stop, as in a crash
    await eventually(async () => expect(isRunning(before)).toBe(false));
    await eventually(async () => {
      const res = await api.graphql(CITIES);
      expect(res.data?.cities).toHaveLength(6);
    });
    const after = api.postmasterPid();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(api.output).toContain('embedded PostgreSQL exited unexpectedly; starting it again');

    // An open WebSocket must not hold the shutdown up.
    const ws = createClient({ url: `ws+unix://${api.socketPath}:/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    const closed = new Promise<number>((resolve) => ws.on('closed', (event) => resolve((event as { code: number }).code)));
    await new Promise<void>((resolve) => ws.on('connected', () => resolve()));

    expect(await api.stop('SIGTERM')).toBe(0);
    expect(await closed).toBe(1001); // "going away"
    expect(api.output).toContain('"msg":"stopped"');
    // The restarted postmaster, its backends and the server are gone, the cluster shut down cleanly.
    expect(processesUsing(api.dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(api.dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(api.dataDir, 'owner.json'))).toBe(false);
    expect(fs.existsSync(path.join(api.dataDir, 'jwt-secret'))).toBe(true);
  });

  it('says in one line that the port is in use, exits non-zero and leaves no PostgreSQL running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const failed = ProcessApi.spawn({ dataDir: api.dataDir, env: { PORT: String(port) } });
      others.push(failed);
      expect(await failed.exited).toBe(1);
      expect(failed.output).toContain('embedded PostgreSQL ready'); // it had started one
      expect(plainLines(failed.output)).toEqual([
        `Kezek could not start: port ${port} on 127.0.0.1 is already in use (another Kezek or another program). Stop it, or set PORT to a free port.`,
      ]);
      expect(processesUsing(api.dataDir)).toEqual([]);
      expect(fs.existsSync(path.join(api.dataDir, 'pg', 'postmaster.pid'))).toBe(false);
      expect(fs.existsSync(path.join(api.dataDir, 'owner.json'))).toBe(false);
    } finally {
      blocker.close();
    }
  });
});
