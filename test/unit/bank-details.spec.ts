import { describe, expect, it } from 'vitest';
import { checkBik, checkIban, kzIbanOf } from '../../src/domain/bank-details.js';
import { dueDateOf } from '../../src/domain/payment-dates.js';

describe('Kazakh IBAN (ISO 13616, mod 97)', () => {
  it.each([
    // The IBAN registry's example for Kazakhstan, and real-format accounts of Kazakh banks (bank code, KZT account).
    ['KZ86125KZT5004100100', 'KZ86125KZT5004100100'],
    ['kz86 125k zt50 0410 0100', 'KZ86125KZT5004100100'],
    [kzIbanOf('722S000012345678'), kzIbanOf('722S000012345678')],
    [kzIbanOf('601A861000012345'), kzIbanOf('601A861000012345')],
  ])('accepts %s', (raw, value) => {
    expect(checkIban(raw)).toEqual({ ok: true, value });
  });

  it('computes the registry example’s check digits', () => {
    expect(kzIbanOf('125KZT5004100100')).toBe('KZ86125KZT5004100100');
  });

  it.each([
    ['KZ87125KZT5004100100', 'CHECK_DIGITS'], // one check digit off
    ['KZ86125KZT5004100101', 'CHECK_DIGITS'], // one account digit off
    ['KZ86125KZT500410010', 'FORMAT'], // 19 characters
    ['KZ86125KZT50041001000', 'FORMAT'], // 21
    ['KZ86A25KZT5004100100', 'FORMAT'], // the bank code is digits
    ['DE89370400440532013000', 'COUNTRY'], // a valid German IBAN
    ['KZ86-125K', 'FORMAT'],
    ['', 'FORMAT'],
  ])('refuses %s (%s)', (raw, problem) => {
    expect(checkIban(raw)).toEqual({ ok: false, problem });
  });
});

describe('BIK', () => {
  it.each([['HSBKKZKX'], ['CASPKZKA'], ['KCJBKZKX'], ['hsbk kzkx'], ['HSBKKZKX001']])('accepts %s', (raw) => {
    expect(checkBik(raw)).toEqual({ ok: true, value: raw.replace(/\s/g, '').toUpperCase() });
  });

  it.each([
    ['HSBKKZK', 'FORMAT'],
    ['HSBKKZKX0', 'FORMAT'],
    ['HSBKRUMM', 'COUNTRY'],
    ['1SBKKZKX', 'FORMAT'],
  ])('refuses %s (%s)', (raw, problem) => {
    expect(checkBik(raw)).toEqual({ ok: false, problem });
  });
});

describe('due dates', () => {
  it('is the rule’s day of the month after the settled month', () => {
    expect(dueDateOf('2026-11', 18, '2026-12-02')).toBe('2026-12-18');
    expect(dueDateOf('2026-12', 18, '2027-01-05')).toBe('2027-01-18');
    expect(dueDateOf('2026-11', 18, '2026-12-18')).toBe('2026-12-18');
  });

  it('moves a late supplementary payment to the month after its calculation', () => {
    expect(dueDateOf('2026-10', 18, '2026-12-02')).toBe('2027-01-18');
    expect(dueDateOf('2026-11', 5, '2026-12-06')).toBe('2027-01-05');
  });
});
