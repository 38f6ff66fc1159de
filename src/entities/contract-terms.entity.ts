import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The programme's standard offer-contract and its personal-data consent, versioned: a parent
 * accepting an offer accepts the version in force, and the enrollment records which one and when.
 * A version is never changed once published (a new text is a new version); migrations add them.
 */
@Entity({ tableName: 'contract_terms' })
@Check({ name: 'contract_terms_version_positive', expression: 'version > 0' })
export class ContractTerms {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  version: number;

  @Property({ type: 'text' })
  termsKk: string;

  @Property({ type: 'text' })
  termsRu: string;

  @Property({ type: 'text' })
  consentKk: string;

  @Property({ type: 'text' })
  consentRu: string;

  /** In force from this instant until a later version's. */
  @Property({ type: 'datetime' })
  effectiveFrom: Date;

  constructor(version: number, terms: { kk: string; ru: string }, consent: { kk: string; ru: string }, effectiveFrom: Date) {
    this.version = version;
    this.termsKk = terms.kk;
    this.termsRu = terms.ru;
    this.consentKk = consent.kk;
    this.consentRu = consent.ru;
    this.effectiveFrom = effectiveFrom;
  }
}
