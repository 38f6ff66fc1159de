import { describe, expect, it } from 'vitest';
import { checkDigit, normalizePhone, parseIin, validateBin } from '../../src/domain/kazakh-ids.js';
import { Sex } from '../../src/domain/enums.js';

// Check digits below were computed by hand (and cross-checked with an independent script).
describe('IIN', () => {
  it('accepts a valid IIN and reads birth date and sex from it', () => {
    expect(parseIin('880101300010')).toEqual({ ok: true, facts: { birthDate: '1988-01-01', sex: Sex.MALE } });
    expect(parseIin('160520600028')).toEqual({ ok: true, facts: { birthDate: '2016-05-20', sex: Sex.FEMALE } });
  });

  it('uses the second weighting pass when the first gives 10', () => {
    expect(checkDigit('15052050000')).toBe(2);
    expect(parseIin('150520500002')).toMatchObject({ ok: true, facts: { birthDate: '2015-05-20', sex: Sex.MALE } });
  });

  it('has no valid number when both passes give 10', () => {
    expect(checkDigit('15052050004')).toBeNull();
  });

  it.each([
    ['88010130001', 'FORMAT'],
    ['8801013000100', 'FORMAT'],
    ['88010130001a', 'FORMAT'],
    ['880101300011', 'CHECK_DIGIT'],
    ['880101700010', 'CENTURY_DIGIT'],
    ['880101000010', 'CENTURY_DIGIT'],
    ['880231300010', 'BIRTH_DATE'],
    ['881301300010', 'BIRTH_DATE'],
    ['150229500000', 'BIRTH_DATE'], // 2015 is not a leap year
  ])('rejects %s (%s)', (iin, problem) => {
    expect(parseIin(iin)).toMatchObject({ ok: false, problem });
  });

  it('accepts 29 February in a leap year', () => {
    const iin = '160229500000';
    const digit = checkDigit(iin.slice(0, 11));
    expect(digit).not.toBeNull();
    expect(parseIin(iin.slice(0, 11) + digit)).toMatchObject({ ok: true, facts: { birthDate: '2016-02-29' } });
  });
});

describe('BIN', () => {
  it('accepts a valid BIN', () => {
    expect(validateBin('200240000008')).toEqual({ ok: true });
  });

  it.each([
    ['20024000000', 'exactly 12 digits'],
    ['200240000005', 'check digit'],
    ['201340000006', 'month'],
    ['200230000006', 'entity type'],
  ])('rejects %s (%s)', (bin, words) => {
    const result = validateBin(bin);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(words);
  });
});

describe('phone numbers', () => {
  it.each([
    ['+77011234567', '+77011234567'],
    ['+7 701 123 45 67', '+77011234567'],
    ['8 (701) 123-45-67', '+77011234567'],
    ['+7 7172 55 00 11', '+77172550011'],
  ])('normalises %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it.each(['77011234567', '+79161234567', '+7701123456', '+770112345678', '', 'phone'])('rejects %j', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });
});
