import { Embedded, Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { uuidv7 } from '../ids.js';
import { LocalizedText } from './localized-text.embeddable.js';

/** A city running the programme. Every rule, quota and queue is per city. Rows come from migrations. */
@Entity({ tableName: 'city' })
export class City {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Stable code partners use, e.g. ASTANA. */
  @Property({ type: 'text' })
  @Unique()
  code: string;

  @Embedded({ entity: () => LocalizedText, prefix: 'name_' })
  name: LocalizedText;

  @Property({ type: 'text' })
  timezone: string;

  constructor(code: string, name: LocalizedText, timezone: string) {
    this.code = code;
    this.name = name;
    this.timezone = timezone;
  }
}
