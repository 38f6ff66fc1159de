import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { BankDetailsStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { Provider } from './provider.entity.js';

/**
 * One set of a provider's bank details (Kazakh IBAN and BIK, checked by src/domain/bank-details.ts).
 * The provider proposes, its city's operator confirms or rejects; rows are never edited but moved
 * on (BANK_DETAILS_TRANSITIONS), so a payment approved under a set names it for good. At most one
 * confirmed and one proposed set per provider (partial unique indexes in the migration).
 */
@Entity({ tableName: 'bank_details' })
@Check({ name: 'bank_details_iban_format', expression: "iban ~ '^KZ[0-9]{2}[0-9]{3}[0-9A-Z]{13}$'" })
@Check({ name: 'bank_details_bik_format', expression: "bik ~ '^[A-Z]{4}KZ[0-9A-Z]{2}([0-9A-Z]{3})?$'" })
@Index({ name: 'bank_details_provider', properties: ['provider', 'proposedAt'] })
@Index({
  name: 'bank_details_one_confirmed_per_provider',
  expression: `create unique index "bank_details_one_confirmed_per_provider" on "bank_details" ("provider_id") where "status" = 'CONFIRMED'`,
})
@Index({
  name: 'bank_details_one_proposed_per_provider',
  expression: `create unique index "bank_details_one_proposed_per_provider" on "bank_details" ("provider_id") where "status" = 'PROPOSED'`,
})
export class BankDetails {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Provider, ref: true, deleteRule: 'restrict' })
  provider: Ref<Provider>;

  @Property({ type: 'text' })
  iban: string;

  @Property({ type: 'text' })
  bik: string;

  /** Changed only through BANK_DETAILS_TRANSITIONS. */
  @Enum({ items: () => BankDetailsStatus, type: 'text', default: BankDetailsStatus.PROPOSED })
  status: BankDetailsStatus = BankDetailsStatus.PROPOSED;

  @Property({ type: 'datetime' })
  proposedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null = null;

  /** Why the operator rejected the proposal. */
  @Property({ type: 'text', nullable: true })
  rejectionReason?: string | null = null;

  constructor(init: { provider: Ref<Provider>; iban: string; bik: string; proposedAt: Date }) {
    this.provider = init.provider;
    this.iban = init.iban;
    this.bik = init.bik;
    this.proposedAt = init.proposedAt;
  }
}
