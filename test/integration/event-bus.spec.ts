// The event bus must deliver every committed event exactly once, even when transactions commit out
// of the order their sequence ids were taken in, and never one whose transaction rolled back.
// In a database of this file's own: no other file's transactions hold back the snapshot horizon that
// settles a gap, and the retention job prunes only this file's events. The tests share the bus and
// run one after the other.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../../src/db/orm.js';
import { createLogger } from '../../src/logger.js';
import { EventBus, type StoredEvent } from '../../src/realtime/event-bus.js';
import { EVENT_RETENTION_DAYS, runJobs } from '../../src/jobs/scheduler.js';
import { EventKind, publishEvent } from '../../src/realtime/publish.js';
import { freshDatabase } from '../support/fresh-database.js';

let orm: Orm;
let bus: EventBus;
let world: Awaited<ReturnType<typeof freshDatabase>>;
const received: StoredEvent[] = [];
const cityId = randomUUID();

beforeAll(async () => {
  world = await freshDatabase('kezek_bus');
  const db = world.db;
  orm = await initOrm(db, createLogger('silent'), 5);
  bus = new EventBus(orm, db, createLogger('silent'));
  bus.onEvents((events) => received.push(...events.filter((e) => e.cityId === cityId)));
  await bus.start();
});
afterAll(async () => {
  await bus?.stop();
  await orm?.close(true);
  await world?.drop();
});

const event = (label: string) => ({ kind: EventKind.QUEUE_JOINED, cityId, voucherType: 'TARGETED', payload: { applicationIds: [label] } });
const labels = () => received.map((e) => e.payload.applicationIds![0]);

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(labels())}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Publishes in a transaction that stays open until the returned `commit` (or `rollback`) is called. */
async function openTransaction(label: string): Promise<{ id: bigint; commit(): Promise<void>; rollback(): Promise<void> }> {
  let finish!: (ok: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (finish = resolve));
  let published!: (id: bigint) => void;
  const ready = new Promise<bigint>((resolve) => (published = resolve));
  const done = orm.em.fork().transactional(async (em) => {
    published(await publishEvent(em, event(label)));
    if (!(await decided)) throw new Error('rolled back on purpose');
  });
  const id = await ready;
  return {
    id,
    commit: async () => {
      finish(true);
      await done;
    },
    rollback: async () => {
      finish(false);
      await done.catch(() => {});
    },
  };
}

describe('event bus', () => {
  it('delivers an event whose transaction commits after a later-numbered one', async () => {
    const slow = await openTransaction('slow'); // takes the lower id, commits last
    const fast = await openTransaction('fast');
    await fast.commit();
    await until(() => labels().includes('fast'), 'the fast event');
    expect(labels()).not.toContain('slow');
    expect(bus.isWaitingFor(slow.id)).toBe(true);

    await slow.commit();
    await until(() => labels().includes('slow'), 'the slow event');
    expect(labels().filter((l) => l === 'slow' || l === 'fast')).toEqual(['fast', 'slow']);
  });

  it('never delivers a rolled-back event, and stops waiting for its id', async () => {
    const doomed = await openTransaction('doomed');
    const after = await openTransaction('after');
    await doomed.rollback();
    await after.commit();
    await until(() => labels().includes('after'), 'the event after the rollback');
    // A read after every transaction running at the rollback has ended settles the gap (its writer
    // is gone, the id can never appear): nothing else runs in this database, so the read that saw
    // the next event settled it, or at the latest the one after it.
    if (bus.isWaitingFor(doomed.id)) {
      const nudge = await openTransaction('nudge');
      await nudge.commit();
      await until(() => labels().includes('nudge'), 'a nudge');
    }
    expect(bus.isWaitingFor(doomed.id)).toBe(false);
    expect(labels()).not.toContain('doomed');
    // Every event arrived exactly once.
    expect(new Set(labels()).size).toBe(labels().length);
  });
});

describe('event retention', () => {
  it('prunes events past the retention and keeps recent ones', async () => {
    // Pruning goes by the database's clock (no test clock may delete events others have yet to
    // read), so an event is made "past the retention" by a retention of zero days, not by
    // back-dating it: then everything written before the pass is past it.
    const em = orm.em.fork();
    const old = await em.transactional((tx) => publishEvent(tx, event('old')));
    // This file's database: the old event and the earlier tests' events, all of them pruned.
    const [{ n: written }] = (await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from domain_event`)) as [{ n: number }];
    expect((await runJobs(orm, new Date(), { cityCodes: [] }, { eventRetentionDays: 0 })).eventsPruned).toBe(written);
    const recent = await em.transactional((tx) => publishEvent(tx, event('recent')));
    expect((await runJobs(orm, new Date(), { cityCodes: [] })).eventsPruned).toBe(0);
    expect(EVENT_RETENTION_DAYS).toBe(30);
    const left = await orm.em.fork().execute<{ id: string }[]>(`select id::text from domain_event where id in (?)`, [[old.toString(), recent.toString()]]);
    expect(left.map((r) => r.id)).toEqual([recent.toString()]);
  });
});
