import { Check, Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { PaymentStatus } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';
import { BankDetails } from './bank-details.entity.js';
import { City } from './city.entity.js';
import { Provider } from './provider.entity.js';
import { bigintString } from './types/bigint-string.type.js';

/**
 * What the state owes one provider for one month. The first settlement of a month is sequence 1;
 * sessions confirmed later (inside the window) go into supplementary payments 2, 3, … — never into
 * a second copy of a line already paid. Money is integer tiyn, in KZT.
 */
@Entity({ tableName: 'payment' })
@Unique({ name: 'payment_provider_period_sequence', properties: ['provider', 'period', 'sequence'] })
@Check({ name: 'payment_amount_non_negative', expression: 'amount_tiyn >= 0' })
@Check({ name: 'payment_approved_names_bank_details', expression: "status = 'CALCULATED' or bank_details_id is not null or due_date is null" })
@Check({ name: 'payment_reissued_only_failed', expression: "reissued_as_id is null or status = 'FAILED'" })
@Check({ name: 'payment_period_format', expression: "period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'" })
export class Payment {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne({ entity: () => Provider, ref: true, deleteRule: 'restrict', index: true })
  provider: Ref<Provider>;

  @ManyToOne({ entity: () => City, ref: true, deleteRule: 'restrict', index: true })
  city: Ref<City>;

  /** "YYYY-MM". */
  @Property({ type: 'text' })
  period: string;

  @Property({ type: 'smallint' })
  sequence: number;

  /** Changed only through PAYMENT_TRANSITIONS. */
  @Enum({ items: () => PaymentStatus, type: 'text', default: PaymentStatus.CALCULATED })
  status: PaymentStatus = PaymentStatus.CALCULATED;

  @Property({ type: bigintString() })
  amountTiyn: string;

  /** Always KZT: the programme pays in tenge (the column's check allows nothing else). */
  @Enum({ items: ['KZT'], type: 'text', default: 'KZT' })
  currency: 'KZT' = 'KZT';

  @Property({ type: 'integer' })
  rulesVersion: number;

  @Property({ type: 'text', nullable: true })
  bankReference?: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureReason?: string | null = null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  approvedAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  paidAt?: Date | null = null;

  /** When the treasury must have paid it (the city's rules, set at calculation); null only for payments calculated before due dates existed. */
  @Property({ type: 'date', nullable: true })
  dueDate?: string | null = null;

  /** The provider's confirmed bank details when it was approved: what the payment order pays to, whatever is confirmed later. */
  @ManyToOne({ entity: () => BankDetails, ref: true, nullable: true, deleteRule: 'restrict', index: true })
  bankDetails?: Ref<BankDetails> | null = null;

  /** A FAILED payment re-issued: the supplementary payment that pays its sessions again (once). */
  @Property({ type: 'uuid', nullable: true, unique: 'payment_reissued_as_unique' })
  reissuedAsId?: string | null = null;

  constructor(init: { provider: Ref<Provider>; city: Ref<City>; period: string; sequence: number; amountTiyn: string; rulesVersion: number; dueDate?: string | null }) {
    this.provider = init.provider;
    this.city = init.city;
    this.period = init.period;
    this.sequence = init.sequence;
    this.amountTiyn = init.amountTiyn;
    this.rulesVersion = init.rulesVersion;
    this.dueDate = init.dueDate ?? null;
  }
}
