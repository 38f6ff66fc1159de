import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { bigintString } from './types/bigint-string.type.js';

/**
 * A change other API instances must hear about, written in the same transaction as the change and
 * announced with NOTIFY at commit. The sequence id lets an instance that lost its LISTEN connection
 * read exactly what it missed.
 */
@Entity({ tableName: 'domain_event' })
@Index({ name: 'domain_event_occurred_at', properties: ['occurredAt'] })
export class DomainEvent {
  @PrimaryKey({ type: bigintString(), autoincrement: true })
  id!: string;

  /** The writing transaction's id, taken before the sequence id (see publishEvent and EventBus). */
  @Property({ columnType: 'xid8', type: 'string', nullable: true })
  tx?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'clock_timestamp()' })
  occurredAt!: Date;

  /** e.g. QUEUE_JOINED, QUEUE_LEFT, OFFERED, OFFER_CLOSED, RULES_CHANGED. */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'uuid', nullable: true })
  cityId?: string | null;

  @Property({ type: 'text', nullable: true })
  voucherType?: string | null;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;
}
