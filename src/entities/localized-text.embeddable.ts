import { Embeddable, Property } from '@mikro-orm/core';

/** Text in both official languages; Kazakh and Russian are required, English is optional. */
@Embeddable()
export class LocalizedText {
  @Property({ type: 'text' })
  kk: string;

  @Property({ type: 'text' })
  ru: string;

  @Property({ type: 'text', nullable: true })
  en?: string | null;

  constructor(kk: string, ru: string, en?: string | null) {
    this.kk = kk;
    this.ru = ru;
    this.en = en ?? null;
  }
}
