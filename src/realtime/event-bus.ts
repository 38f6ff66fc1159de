import pg from 'pg';
import type { Orm, ConnectionParts } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { EVENTS_CHANNEL, type QueueEvent } from './publish.js';

export interface StoredEvent extends QueueEvent {
  id: bigint;
  occurredAt: Date;
}

const BATCH = 1000;
const MAX_RECONNECT_DELAY_MS = 5000;
/** More ids missing at once than this cannot all be in flight (a sequence reset or a restore). */
const MAX_GAP = 10_000n;

/**
 * Each API instance LISTENs on one dedicated connection. A NOTIFY only wakes it: events are then
 * read from domain_event by sequence id, so a burst costs one read, and after a lost connection
 * (a database restart) the instance reconnects and reads exactly the events it missed.
 *
 * Sequence ids are taken when an event is inserted, not when its transaction commits, so event 11
 * can be visible while event 10 is still in flight. Reading only `id > last` would skip 10 for
 * good. So every id below the highest one read that has not been seen is kept as a gap and asked
 * for again on every read, until it arrives (its transaction committed; its own NOTIFY wakes us)
 * or until every transaction that was running when the gap was noticed has ended — from then on it
 * can never appear (rolled back). The test for that is PostgreSQL's snapshot horizon: a gap noticed
 * under a snapshot with xmax X is settled once a later snapshot's xmin is at least X. publishEvent
 * takes its transaction id before the sequence number, which makes the test exact.
 */
export class EventBus {
  private client: pg.Client | null = null;
  private lastId = 0n;
  /** Ids not yet seen below lastId → the snapshot xmax at which they were first missed. */
  private readonly gaps = new Map<bigint, bigint>();
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopped = false;
  private reconnectDelay = 100;
  private readonly listeners = new Set<(events: StoredEvent[]) => void>();
  private readonly connectListeners = new Set<() => void>();
  private readDelay = 100;
  private retryRead: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: Orm,
    private readonly connection: ConnectionParts,
    private readonly log: Logger,
  ) {}

  /** The highest event id read so far (events at or below it may still arrive late: see gaps). */
  get lastReadId(): bigint {
    return this.lastId;
  }

  /** Whether this instance still waits for event `id` (in flight, or rolled back and not yet settled). */
  isWaitingFor(id: bigint): boolean {
    return this.gaps.has(id);
  }

  onEvents(listener: (events: StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called whenever the listener (re)connects, i.e. the database is reachable again: work that
   * failed while it was away (see RealtimeHub) can be retried at once.
   */
  onConnected(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  async start(): Promise<void> {
    // Start after the sequence's last value, not max(id): ids taken before we started are not ours
    // to wait for, and a pruned table must not look like a million gaps.
    const [row] = await this.orm.em.fork().execute<{ id: string | null }[]>(
      `select greatest((select max(id) from domain_event), pg_sequence_last_value('domain_event_id_seq'))::text as id`,
    );
    this.lastId = BigInt(row?.id ?? 0);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryRead);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    await this.reading;
  }

  private async connect(): Promise<void> {
    const { host, port, user, password, dbName, ssl } = this.connection;
    const client = new pg.Client({ host, port, user, password, database: dbName, ssl: ssl ? { rejectUnauthorized: true } : undefined });
    client.on('notification', () => this.read());
    client.on('error', (err) => this.log.warn({ err }, 'event listener connection error'));
    client.on('end', () => {
      if (this.stopped || this.client !== client) return;
      this.client = null;
      this.reconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      this.client = client;
      this.reconnectDelay = 100;
      this.read(); // catch up on anything committed while we were not listening
      for (const listener of this.connectListeners) listener();
    } catch (err) {
      this.log.warn({ err }, 'event listener could not connect; retrying');
      await client.end().catch(() => {});
      this.reconnect();
    }
  }

  private reconnect(): void {
    if (this.stopped) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
    setTimeout(() => void this.connect(), delay).unref();
  }

  /** Reads new events (and late ones that filled a gap); concurrent wake-ups fold into one more pass. */
  private read(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        try {
          while ((await this.readBatch()) === BATCH && !this.stopped);
          this.readDelay = 100;
        } catch (err) {
          // Events already committed must not wait for the next notification (there may be none).
          this.log.warn({ err }, 'reading events failed; retrying');
          this.scheduleRead();
        }
      } while (this.readAgain && !this.stopped);
      this.reading = null;
    })();
  }

  private scheduleRead(): void {
    if (this.stopped || this.retryRead) return;
    const delay = this.readDelay;
    this.readDelay = Math.min(this.readDelay * 2, MAX_RECONNECT_DELAY_MS);
    this.retryRead = setTimeout(() => {
      this.retryRead = undefined;
      this.read();
    }, delay);
    this.retryRead.unref();
  }

  /**
   * One statement: the snapshot's horizon, the next events after lastId and any gap that has been
   * filled since. Returns how many new (id > lastId) events it read.
   */
  private async readBatch(): Promise<number> {
    const gapIds = [...this.gaps.keys()].map(String);
    type Row = { xmin: string; xmax: string; id: string | null; occurred_at: Date; kind: string; city_id: string; voucher_type: string | null; payload: QueueEvent['payload'] };
    const rows = await this.orm.em.fork().execute<Row[]>(
      `with s as materialized (select pg_current_snapshot() as snap)
       select pg_snapshot_xmin(s.snap)::text as xmin, pg_snapshot_xmax(s.snap)::text as xmax, e.*
         from s left join lateral (
           (select id::text as id, occurred_at, kind, city_id, voucher_type, payload from domain_event where id > ? order by id limit ?)
           ${gapIds.length > 0 ? 'union all (select id::text, occurred_at, kind, city_id, voucher_type, payload from domain_event where id in (?))' : ''}
         ) e on true`,
      gapIds.length > 0 ? [this.lastId.toString(), BATCH, gapIds] : [this.lastId.toString(), BATCH],
    );
    const xmin = BigInt(rows[0]!.xmin);
    const xmax = BigInt(rows[0]!.xmax);
    const events: StoredEvent[] = rows
      .filter((r) => r.id !== null)
      .map((r) => ({ id: BigInt(r.id!), occurredAt: new Date(r.occurred_at), kind: r.kind as StoredEvent['kind'], cityId: r.city_id, voucherType: r.voucher_type, payload: r.payload }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    let fresh = 0;
    for (const event of events) {
      if (event.id > this.lastId) {
        // Everything skipped between the last id and this one is in flight or rolled back.
        if (event.id - this.lastId <= MAX_GAP) for (let missing = this.lastId + 1n; missing < event.id; missing++) this.gaps.set(missing, xmax);
        else this.log.warn({ from: this.lastId.toString(), to: event.id.toString() }, 'event ids jumped; not waiting for the ids in between');
        this.lastId = event.id;
        fresh++;
      } else {
        this.gaps.delete(event.id);
      }
    }
    // A gap whose every possible writer has ended and that is still not visible was rolled back.
    for (const [id, noticedAt] of this.gaps) if (xmin >= noticedAt && !events.some((e) => e.id === id)) this.gaps.delete(id);
    if (events.length > 0) for (const listener of this.listeners) listener(events);
    return fresh;
  }
}
