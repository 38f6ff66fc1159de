import { Entity, Enum, Formula, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { ApplicationStatus, PriorityCategory, VoucherType } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Applicant } from './applicant.entity.js';
import { Child } from './child.entity.js';
import { City } from './city.entity.js';
import { PreciseTimestampType } from './types/precise-timestamp.type.js';
import { bigintString } from './types/bigint-string.type.js';

/**
 * A request for a voucher for one child, of one type, in one city: a place in that queue. The
 * queue order is (priorityRank, submittedAt, submissionSeq), kept by a partial index over waiting
 * rows. submittedAt is what the public queue shows; submissionSeq only breaks the ties a busy
 * opening day produces (two applications in one microsecond) in the order they reached the database.
 */
@Entity({ tableName: 'application' })
@Index({
  name: 'application_one_open_per_child_and_type',
  expression: `create unique index "application_one_open_per_child_and_type" on "application" ("child_id", "voucher_type") where "status" in ('QUEUED', 'OFFERED')`,
})
@Index({
  name: 'application_queue_order',
  expression: `create index "application_queue_order" on "application" ("city_id", "voucher_type", "priority_rank", "submitted_at", "submission_seq") where "status" = 'QUEUED'`,
})
export class Application {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Child, ref: true, deleteRule: 'restrict', index: true })
  child: Ref<Child>;

  @ManyToOne({ entity: () => Applicant, ref: true, deleteRule: 'restrict', index: true })
  applicant: Ref<Applicant>;

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city: Ref<City>;

  @Enum({ items: () => VoucherType, type: 'text' })
  voucherType: VoucherType;

  /** Changed only through APPLICATION_TRANSITIONS. */
  @Enum({ items: () => ApplicationStatus, type: 'text', default: ApplicationStatus.QUEUED })
  status: ApplicationStatus = ApplicationStatus.QUEUED;

  /** The child's category when the application was made. */
  @Enum({ items: () => PriorityCategory, type: 'text' })
  priorityCategory: PriorityCategory;

  /** The category's rank under the city's current rules (0 first); recomputed when rules change. */
  @Property({ type: 'smallint' })
  priorityRank: number;

  /** Set by PostgreSQL (clock_timestamp()) to the microsecond; never changes, even on restore. */
  @Property({ type: PreciseTimestampType, defaultRaw: 'clock_timestamp()', nullable: false })
  submittedAt?: string;

  /** Arrival order from a sequence, taken with submittedAt; unique; never changes, even on restore. */
  // A serial column to MikroORM (PostgreSQL reports the nextval default as such); the migration names the sequence.
  @Property({ type: bigintString(), autoincrement: true, nullable: false, unique: 'application_submission_seq_unique' })
  submissionSeq?: string;

  /**
   * Place among waiting applications (1 = next), null unless QUEUED. Not a column: computed by
   * queue_position() (migration queue_order) and only when asked for (populate: ['position']), so
   * reading one application with its position is one statement, not two.
   */
  @Formula(
    (alias) =>
      `case when ${alias}.status = 'QUEUED' then queue_position(${alias}.city_id, ${alias}.voucher_type, ${alias}.priority_rank, ${alias}.submitted_at, ${alias}.submission_seq) end`,
    { lazy: true, type: 'integer', nullable: true },
  )
  position?: number | null;

  /** Rules version in force when the application was made. */
  @Property({ type: 'integer' })
  rulesVersion: number;

  @Property({ type: 'smallint', default: 0 })
  restoreCount: number = 0;

  /** When the application left the queue (withdrawn, cancelled), for the restore window. */
  @Property({ type: 'datetime', nullable: true })
  closedAt?: Date | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  constructor(init: {
    child: Ref<Child>;
    applicant: Ref<Applicant>;
    city: Ref<City>;
    voucherType: VoucherType;
    priorityCategory: PriorityCategory;
    priorityRank: number;
    rulesVersion: number;
  }) {
    this.child = init.child;
    this.applicant = init.applicant;
    this.city = init.city;
    this.voucherType = init.voucherType;
    this.priorityCategory = init.priorityCategory;
    this.priorityRank = init.priorityRank;
    this.rulesVersion = init.rulesVersion;
  }
}
