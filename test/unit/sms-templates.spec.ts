import { describe, expect, it } from 'vitest';
import { Language, NotificationKind } from '../../src/domain/enums.js';
import { renderSms, type SmsParams } from '../../src/notifications/templates.js';

// 13:00 UTC is 18:00 in Almaty (UTC+5 all year).
const DEADLINE = new Date('2026-06-05T13:00:00Z');
const FULL: SmsParams = {
  childName: 'Әлихан Серікұлы',
  programTitle: 'Робототехника',
  deadline: DEADLINE,
  timezone: 'Asia/Almaty',
  cityName: 'Астана',
  voucherType: 'TARGETED',
};
const KAZAKH_LETTERS = /[әғқңөұүһі]/i;
const KINDS = Object.values(NotificationKind);
const LANGUAGES = Object.values(Language);
/** Two parts of a long UCS-2 (Cyrillic) SMS. */
const TWO_SEGMENTS = 2 * 67;

describe('SMS templates', () => {
  for (const kind of KINDS) {
    for (const language of LANGUAGES) {
      it(`${kind} in ${language} names the child, the sender and fits in two SMS parts`, () => {
        const text = renderSms(kind, language, FULL);
        expect(text.startsWith('Kezek, Астана: ')).toBe(true);
        expect(text).toContain('Әлихан Серікұлы');
        expect(text.length).toBeLessThanOrEqual(TWO_SEGMENTS);
        if (language === Language.KK) expect(text.replace(FULL.childName, '')).toMatch(KAZAKH_LETTERS);
      });
    }
  }

  it('writes the offer in full, in both languages', () => {
    expect(renderSms(NotificationKind.OFFER_MADE, Language.KK, FULL)).toBe(
      'Kezek, Астана: Әлихан Серікұлы үшін мақсатты ваучерге кезек келді! Үйірмені платформада таңдаңыз. Соңғы мерзім: 05.06.2026 18:00.',
    );
    expect(renderSms(NotificationKind.OFFER_MADE, Language.RU, { ...FULL, voucherType: 'UNIVERSAL' })).toBe(
      'Kezek, Астана: Подошла очередь ребёнка Әлихан Серікұлы на универсальный ваучер! Выберите кружок на платформе до 05.06.2026 18:00.',
    );
  });

  it('shows deadlines in the city’s time zone as DD.MM.YYYY HH:MM', () => {
    for (const kind of [NotificationKind.OFFER_MADE, NotificationKind.OFFER_EXPIRING]) {
      for (const language of LANGUAGES) expect(renderSms(kind, language, FULL)).toContain('05.06.2026 18:00');
    }
    // Every Kazakh city is UTC+5 since March 2024, so a zone with another offset proves the zone is applied.
    expect(renderSms(NotificationKind.OFFER_MADE, Language.RU, { ...FULL, timezone: 'Europe/Moscow' })).toContain('05.06.2026 16:00');
    // Past midnight the date changes as well.
    expect(renderSms(NotificationKind.OFFER_EXPIRING, Language.KK, { ...FULL, deadline: new Date('2026-12-31T19:30:00Z') })).toContain('01.01.2027 00:30');
  });

  it('names the voucher type in each language', () => {
    const universal = { ...FULL, voucherType: 'UNIVERSAL' as const };
    expect(renderSms(NotificationKind.OFFER_MADE, Language.KK, FULL)).toContain('мақсатты');
    expect(renderSms(NotificationKind.OFFER_MADE, Language.KK, universal)).toContain('әмбебап');
    expect(renderSms(NotificationKind.OFFER_MADE, Language.RU, FULL)).toContain('целевой');
    expect(renderSms(NotificationKind.OFFER_MADE, Language.RU, universal)).toContain('универсальный');
    expect(renderSms(NotificationKind.OFFER_EXPIRING, Language.RU, FULL)).toContain('по целевому ваучеру');
    expect(renderSms(NotificationKind.OFFER_EXPIRED, Language.KK, universal)).toContain('әмбебап ваучер');
  });

  it('names the programme on enrolment', () => {
    expect(renderSms(NotificationKind.ENROLLED, Language.KK, FULL)).toBe('Kezek, Астана: Әлихан Серікұлы «Робототехника» үйірмесіне қабылданды. Құттықтаймыз!');
    expect(renderSms(NotificationKind.ENROLLED, Language.RU, FULL)).toContain('в кружок «Робототехника»');
  });

  it('writes just "Kezek" as the sender without a city, and leaves out an optional voucher type', () => {
    const text = renderSms(NotificationKind.OFFER_EXPIRED, Language.RU, { childName: 'Айша', timezone: 'Asia/Almaty' });
    expect(text).toBe('Kezek: Срок предложения по ваучеру для ребёнка Айша истёк. Статус заявки смотрите на платформе.');
  });

  it('refuses to render without the parameters a kind needs', () => {
    const base = { childName: 'Айша', timezone: 'Asia/Almaty' };
    expect(() => renderSms(NotificationKind.OFFER_MADE, Language.KK, { ...base, voucherType: 'TARGETED' })).toThrow('renderSms(OFFER_MADE) needs params.deadline');
    expect(() => renderSms(NotificationKind.OFFER_MADE, Language.RU, { ...base, deadline: DEADLINE })).toThrow('needs params.voucherType');
    expect(() => renderSms(NotificationKind.OFFER_EXPIRING, Language.RU, base)).toThrow('renderSms(OFFER_EXPIRING) needs params.deadline');
    expect(() => renderSms(NotificationKind.ENROLLED, Language.KK, base)).toThrow('renderSms(ENROLLED) needs params.programTitle');
    expect(() => renderSms(NotificationKind.OFFER_EXPIRED, Language.KK, { ...base, childName: '  ' })).toThrow('needs params.childName');
  });

  it('refuses an unknown time zone or an invalid deadline with a clear message', () => {
    expect(() => renderSms(NotificationKind.OFFER_EXPIRING, Language.RU, { ...FULL, timezone: 'Asia/Nowhere' })).toThrow('"Asia/Nowhere" is not an IANA time zone');
    expect(() => renderSms(NotificationKind.OFFER_EXPIRING, Language.RU, { ...FULL, deadline: new Date('nope') })).toThrow('invalid date');
  });
});
