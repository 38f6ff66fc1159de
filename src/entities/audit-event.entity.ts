import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';

/**
 * One change to the queue or a voucher: who, when, what, before and after, under which rules.
 * Append-only: a trigger refuses UPDATE and DELETE, so the queue's history can be replayed and
 * trusted. Kept free of foreign keys so no later deletion elsewhere can cascade into it.
 */
@Entity({ tableName: 'audit_event' })
@Index({ name: 'audit_event_city', properties: ['cityCode', 'id'] })
@Index({ name: 'audit_event_entity', properties: ['entityId', 'id'] })
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'datetime', defaultRaw: 'clock_timestamp()' })
  occurredAt: Date = new Date();

  /** e.g. "PARENT", "OPERATOR", "SYSTEM" (the scheduler). */
  @Property({ type: 'text' })
  actorRole: string;

  /** IIN, provider id, city code, API key id or job name, as the role implies. */
  @Property({ type: 'text', nullable: true })
  actorId?: string | null;

  /** e.g. APPLIED, OFFERED, ACCEPTED, SWITCHED, RULES_CHANGED. */
  @Property({ type: 'text' })
  action: string;

  @Property({ type: 'text' })
  entityType: string;

  @Property({ type: 'uuid' })
  entityId: string;

  @Property({ type: 'text', nullable: true })
  cityCode?: string | null;

  @Property({ type: 'json', nullable: true })
  before?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  after?: Record<string, unknown> | null;

  @Property({ type: 'integer', nullable: true })
  rulesVersion?: number | null;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  constructor(init: Omit<AuditEvent, 'id' | 'occurredAt'>) {
    Object.assign(this, init);
    this.actorRole = init.actorRole;
    this.action = init.action;
    this.entityType = init.entityType;
    this.entityId = init.entityId;
  }
}
