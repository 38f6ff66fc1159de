import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { VoucherType } from '../domain/enums.js';
import { City } from './city.entity.js';
import { PreciseTimestampType } from './types/precise-timestamp.type.js';
import { bigintString } from './types/bigint-string.type.js';

/**
 * A stretch of one queue with the number of applications waiting in it, so that a position is a
 * sum over a thousand-odd blocks plus a count inside one block instead of a count over a million
 * index entries. Blocks are contiguous and ordered by their exclusive upper key (rank, submitted
 * at, sequence): a block holds the keys from the previous block's upper key up to its own. Keys at
 * or above the last block's upper key form the open tail, which has no counter (so opening-day
 * inserts contend on nothing) and which the scheduler closes into blocks every few seconds.
 * `waiting` is kept by statement triggers on application (migration queue_order).
 */
@Entity({ tableName: 'queue_block' })
@Unique({ name: 'queue_block_upper_key', properties: ['city', 'voucherType', 'upperRank', 'upperAt', 'upperSeq'] })
@Check({ name: 'queue_block_waiting_not_negative', expression: 'waiting >= 0' })
export class QueueBlock {
  @PrimaryKey({ type: bigintString(), autoincrement: true })
  id!: string;

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict' })
  city!: Ref<City>;

  @Enum({ items: () => VoucherType, type: 'text' })
  voucherType!: VoucherType;

  @Property({ type: 'smallint' })
  upperRank!: number;

  @Property({ type: PreciseTimestampType, nullable: false })
  upperAt!: string;

  @Property({ type: bigintString() })
  upperSeq!: string;

  @Property({ type: 'integer' })
  waiting!: number;
}
