// Issue 11, finding 8: automatic issuing once ran as one transaction over every queue, so the
// offers of a queue it had done stayed invisible while it worked on the next, and each queue was
// served from whatever it had read by then. Now each queue is its own transaction under that
// queue's issue lock: a queue's offers are visible the moment it is done, and a queue is issued
// from what is committed when its turn comes. The test makes the interleaving exact instead of
// hoping for it: it holds the second queue's issue lock itself, so the job stops right there.
// A database of its own: automatic issuing is switched on for the whole city.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { freshDatabase } from '../support/fresh-database.js';
import { Seed } from '../support/seed.js';

const CITY = 'ASTANA';

let api: TestApi;
let seed: Seed;
let drop: () => Promise<void>;
let db: Awaited<ReturnType<typeof freshDatabase>>['db'];
beforeAll(async () => {
  ({ db, drop } = await freshDatabase('kezek_auto_issue'));
  api = await TestApi.start({ db });
  seed = new Seed(api);
});
afterAll(async () => {
  await api?.close();
  await drop?.();
});

const statusOf = async (applicationId: string) => (await api.sql<{ status: string }>(`select status from application where id = ?`, [applicationId]))[0]!.status;

describe('automatic issuing, queue by queue', () => {
  it("makes a queue's offers visible before the next queue's turn, and serves that queue from what is committed when its turn comes", async () => {
    const operator = await seed.operator(CITY);
    await api.data(`mutation { updateCityRules(input: { city: "${CITY}", autoIssueTypes: [TARGETED, UNIVERSAL] }) { rules { version } } }`, {}, { token: operator });
    const targeted = await seed.apply(await seed.parent().withChild(1, '2016-03-03'), 0, 'TARGETED', CITY);
    const waiting = await seed.apply(await seed.parent().withChild(1, '2016-03-03'), 0, 'UNIVERSAL', CITY);
    await seed.quotaRoom(CITY, 'TARGETED', 1);
    await seed.quotaRoom(CITY, 'UNIVERSAL', 1);
    const [{ id: cityId }] = (await api.sql<{ id: string }>(`select id from city where code = ?`, [CITY])) as [{ id: string }];

    // The UNIVERSAL queue's issuers are held up by a transaction of the test's own (the key is
    // locks.ts's level-3 lock); TARGETED comes first in the job's order and is not.
    const holder = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.dbName });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`queue:${cityId}:UNIVERSAL`]);
      const job = api.runJobs(CITY, new Date());
      await until(async () => (await api.sql(`select 1 from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`)).length > 0);

      // The job waits at UNIVERSAL; TARGETED is done and committed, seen by everyone already.
      expect(await statusOf(targeted)).toBe('OFFERED');
      expect(await statusOf(waiting)).toBe('QUEUED');

      // Meanwhile an orphan joins UNIVERSAL, ahead of the child who was waiting there.
      const orphan = await seed.apply(await seed.parent().withChild(1, '2016-03-03', 'ORPHAN'), 0, 'UNIVERSAL', CITY);
      await holder.query('commit');
      const results = await job;

      // UNIVERSAL's turn came after the orphan joined: the one voucher goes to the head as it is then.
      expect(results.failures).toEqual([]);
      expect(results.autoIssued).toBe(2);
      expect({ orphan: await statusOf(orphan), waiting: await statusOf(waiting) }).toEqual({ orphan: 'OFFERED', waiting: 'QUEUED' });
    } finally {
      await holder.end();
    }
  });
});

/** Polls a condition the test cannot be told about (a backend waiting on a lock). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the job never reached the held queue');
}
