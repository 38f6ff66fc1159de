import { Check, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Language } from '../domain/enums.js';
import { uuidv7 } from '../ids.js';

/** A parent or legal representative, identified by IIN; created on their first registration of a child. */
@Entity({ tableName: 'applicant' })
@Check({ name: 'applicant_iin_format', expression: "iin ~ '^[0-9]{12}$'" })
@Check({ name: 'applicant_phone_format', expression: "phone ~ '^\\+77[0-9]{9}$'" })
export class Applicant {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'character', length: 12 })
  @Unique()
  iin: string;

  @Property({ type: 'text' })
  fullName: string;

  @Property({ type: 'text' })
  phone: string;

  /** The language SMS and notices are written in. */
  @Enum({ items: () => Language, type: 'text' })
  language: Language;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  constructor(iin: string, fullName: string, phone: string, language: Language) {
    this.iin = iin;
    this.fullName = fullName;
    this.phone = phone;
    this.language = language;
  }
}
