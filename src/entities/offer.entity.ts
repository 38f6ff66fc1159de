import { Entity, Enum, Index, ManyToOne, OneToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { OfferStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Application } from './application.entity.js';
import { Voucher } from './voucher.entity.js';

/** "Your turn has come": a voucher reserved for the head of the queue, until a deadline. */
@Entity({ tableName: 'offer' })
@Index({
  name: 'offer_one_pending_per_application',
  expression: `create unique index "offer_one_pending_per_application" on "offer" ("application_id") where "status" = 'PENDING'`,
})
@Index({ name: 'offer_pending_deadline', expression: `create index "offer_pending_deadline" on "offer" ("deadline") where "status" = 'PENDING'` })
export class Offer {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Application, ref: true, deleteRule: 'restrict', index: true })
  application: Ref<Application>;

  @OneToOne({ entity: () => Voucher, ref: true, owner: true, deleteRule: 'restrict', unique: 'offer_voucher_unique' })
  voucher: Ref<Voucher>;

  /** Changed only through OFFER_TRANSITIONS. */
  @Enum({ items: () => OfferStatus, type: 'text', default: OfferStatus.PENDING })
  status: OfferStatus = OfferStatus.PENDING;

  @Property({ type: 'datetime' })
  deadline: Date;

  /** Rules version the offer was made under (deadline, what lapsing does). */
  @Property({ type: 'integer' })
  rulesVersion: number;

  /** Set once the "about to lapse" SMS has been written to the outbox. */
  @Property({ type: 'datetime', nullable: true })
  remindedAt?: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null = null;

  constructor(application: Ref<Application>, voucher: Ref<Voucher>, deadline: Date, rulesVersion: number) {
    this.application = application;
    this.voucher = voucher;
    this.deadline = deadline;
    this.rulesVersion = rulesVersion;
  }
}
