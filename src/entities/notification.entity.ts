import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { Language, NotificationKind, NotificationStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Applicant } from './applicant.entity.js';

/**
 * An SMS in the outbox, written in the same transaction as the change it reports and sent later by
 * the dispatcher. The idempotency key names the event, so one event can never make two messages.
 */
@Entity({ tableName: 'notification' })
@Index({ name: 'notification_due', expression: `create index "notification_due" on "notification" ("next_attempt_at") where "status" = 'PENDING'` })
export class Notification {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Applicant, ref: true, deleteRule: 'restrict', index: true })
  applicant: Ref<Applicant>;

  /** The number at the time of the event. */
  @Property({ type: 'text' })
  phone: string;

  @Enum({ items: () => Language, type: 'text' })
  language: Language;

  @Enum({ items: () => NotificationKind, type: 'text' })
  kind: NotificationKind;

  @Property({ type: 'text' })
  body: string;

  /** e.g. "offer:<id>:made"; also sent to the SMS gateway so it can drop a repeat after a crash. */
  @Property({ type: 'text' })
  @Unique({ name: 'notification_idempotency_key_unique' })
  idempotencyKey: string;

  @Enum({ items: () => NotificationStatus, type: 'text', default: NotificationStatus.PENDING })
  status: NotificationStatus = NotificationStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  lastError?: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null = null;

  constructor(init: { applicant: Ref<Applicant>; phone: string; language: Language; kind: NotificationKind; body: string; idempotencyKey: string }) {
    this.applicant = init.applicant;
    this.phone = init.phone;
    this.language = init.language;
    this.kind = init.kind;
    this.body = init.body;
    this.idempotencyKey = init.idempotencyKey;
  }
}
