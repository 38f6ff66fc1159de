import pg from 'pg';
import type { Orm, ConnectionParts } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { EVENTS_CHANNEL, type QueueEvent } from './publish.js';

export interface StoredEvent extends QueueEvent {
  id: bigint;
}

const BATCH = 1000;
const MAX_RECONNECT_DELAY_MS = 5000;

/**
 * Each API instance LISTENs on one dedicated connection. A NOTIFY only wakes it: events are then
 * read from domain_event by sequence id, so a burst costs one read, and after a lost connection
 * (a database restart) the instance reconnects and reads exactly the events it missed.
 */
export class EventBus {
  private client: pg.Client | null = null;
  private lastId = 0n;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopped = false;
  private reconnectDelay = 100;
  private readonly listeners = new Set<(events: StoredEvent[]) => void>();

  constructor(
    private readonly orm: Orm,
    private readonly connection: ConnectionParts,
    private readonly log: Logger,
  ) {}

  onEvents(listener: (events: StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const [row] = await this.orm.em.fork().execute<{ id: string | null }[]>('select max(id)::text as id from domain_event');
    this.lastId = BigInt(row?.id ?? 0);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
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

  /** Reads new events in order; concurrent wake-ups fold into one more pass. */
  private read(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        try {
          let batch: StoredEvent[];
          do {
            const rows = await this.orm.em.fork().execute<{ id: string; kind: string; city_id: string; voucher_type: string | null; payload: QueueEvent['payload'] }[]>(
              'select id::text as id, kind, city_id, voucher_type, payload from domain_event where id > ? order by id limit ?',
              [this.lastId.toString(), BATCH],
            );
            batch = rows.map((r) => ({ id: BigInt(r.id), kind: r.kind as StoredEvent['kind'], cityId: r.city_id, voucherType: r.voucher_type, payload: r.payload }));
            if (batch.length > 0) {
              this.lastId = batch.at(-1)!.id;
              for (const listener of this.listeners) listener(batch);
            }
          } while (batch.length === BATCH);
        } catch (err) {
          this.log.warn({ err }, 'reading events failed; will retry on the next notification');
        }
      } while (this.readAgain && !this.stopped);
      this.reading = null;
    })();
  }
}
