// The database restarts under a running API: subscriptions stay open, the event listener
// reconnects, and events committed while it was away still arrive. Runs its own PostgreSQL, which
// the tests stop and start: they run one after the other, each in a city of its own (seed.city()).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { initOrm, migrate } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';
import { TestApi } from '../support/api.js';
import { Seed } from '../support/seed.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-restart-'));
const log = createLogger('silent');
let db: EmbeddedDatabase;
let api: TestApi;
let seed: Seed;

beforeAll(async () => {
  fs.chmodSync(dataDir, 0o755);
  db = await startEmbeddedPostgres(dataDir, 'kezek', log);
  const orm = await initOrm(db.connection, log, 2);
  await migrate(orm);
  await orm.close(true);
  api = await TestApi.start({ db: db.connection });
  seed = new Seed(api);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Retries a request until the API's connection pool has found the restarted database. */
async function eventually<T>(run: () => Promise<T>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await run();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('after a database restart', () => {
  it('keeps subscriptions open and delivers the events committed meanwhile', async () => {
    const city = await seed.city();
    const { family, applicationId, position: start } = await seed.waiting(city, 'TARGETED', { category: 'ORPHAN' });
    expect(start).toBe(1);
    const offers = await api.subscribe(`subscription { offerReceived { id application { id } } }`, {}, family.token);
    const position = await api.subscribe(`subscription($id: ID!) { queuePositionChanged(applicationId: $id) { status reason } }`, { id: applicationId }, family.token);
    expect((await position.next()).queuePositionChanged).toEqual({ status: 'QUEUED', reason: 'CURRENT' });

    await db.stop();
    db = await startEmbeddedPostgres(dataDir, 'kezek', log);

    // The offer is made as soon as the API can reach the database again, possibly before its
    // listener has reconnected: the listener then reads it back by sequence.
    await eventually(() => seed.quotaRoom(city, 'TARGETED', 1));
    const offered = await eventually(() => seed.issue(city, 'TARGETED', 1));
    expect(offered.map((o) => o.applicationId)).toEqual([applicationId]);
    const [offer] = offered;
    expect((await offers.next(20_000)).offerReceived).toEqual({ id: offer!.id, application: { id: applicationId } });
    expect((await position.next(20_000)).queuePositionChanged).toEqual({ status: 'OFFERED', reason: 'STATUS_CHANGED' });
    await Promise.all([offers.close(), position.close()]);
  }, 90_000);

  it('recomputes a position whose recomputation failed while the database went away', async () => {
    const city = await seed.city();
    const { family: ahead, applicationId: aheadId } = await seed.waiting(city, 'UNIVERSAL');
    const { family: me, applicationId: myId } = await seed.waiting(city, 'UNIVERSAL');
    const position = await api.subscribe(`subscription($id: ID!) { queuePositionChanged(applicationId: $id) { position reason } }`, { id: myId }, me.token);
    expect((await position.next()).queuePositionChanged).toEqual({ position: 2, reason: 'CURRENT' });

    // The withdrawal commits and its event is read; the moment the hub sends the statement that
    // recomputes the queue with that event read, PostgreSQL stops (immediate stop, as in a crash), so
    // the recomputation fails while the change it was to show is already committed and off the bus.
    // (Nothing else writes to this file's database, so the next event is the withdrawal's.)
    const last = (await api.sql<{ last: string }>(`select coalesce(pg_sequence_last_value('domain_event_id_seq'), 0)::text as last`))[0]!.last;
    const knex = api.orm.em.getConnection().getKnex();
    let stopped = false;
    const stopOnRecompute = (query: { sql?: string }) => {
      // The ORM inlines parameters: the hub's statement reads `e.id > '<last event read>'`.
      const lastReadId = query.sql?.includes(' as unseen') ? /e\.id > '?(\d+)/.exec(query.sql)?.[1] : undefined;
      if (stopped || lastReadId === undefined || BigInt(lastReadId) <= BigInt(last)) return;
      stopped = true;
      stopPostgresNow(path.join(dataDir, 'pg'));
    };
    knex.on('query', stopOnRecompute);
    try {
      // Its answer may be cut off by the stop; it has committed before its event could be read.
      await api.request(`mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }`, { id: aheadId }, { token: ahead.token });
      await waitUntil(() => stopped);
    } finally {
      knex.off('query', stopOnRecompute);
    }
    db = await startEmbeddedPostgres(dataDir, 'kezek', log);

    // No further change happens in this queue: only a retry of the failed recomputation can tell.
    expect((await position.next(20_000)).queuePositionChanged).toEqual({ position: 1, reason: 'SOMEONE_AHEAD_LEFT' });
    await position.close();
    const [withdrawn] = await eventually(() => api.sql<{ status: string }>(`select status from application where id = ?`, [aheadId]));
    expect(withdrawn!.status).toBe('WITHDRAWN');
  }, 90_000);
});

/** Immediate stop, waited for synchronously: nothing else in this process runs until PostgreSQL is gone. */
function stopPostgresNow(clusterDir: string): void {
  const pid = Number(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGQUIT');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 1000 && fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i++) Atomics.wait(pause, 0, 0, 10);
}

async function waitUntil(condition: () => boolean, ms = 20_000): Promise<void> {
  for (const until = Date.now() + ms; !condition(); ) {
    if (Date.now() > until) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
