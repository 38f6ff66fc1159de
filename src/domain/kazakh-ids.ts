// Kazakh individual (IIN) and business (BIN) identification numbers. Both are 12 digits whose last
// digit is a check digit computed in up to two passes over the first eleven.

import { Sex } from './enums.js';

const FIRST_PASS_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_PASS_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/** The check digit for the first 11 digits, or null when both passes give 10 (no valid number). */
export function checkDigit(first11: string): number | null {
  const digits = [...first11].map(Number);
  const weighted = (weights: number[]) => digits.reduce((sum, d, i) => sum + d * weights[i]!, 0) % 11;
  const first = weighted(FIRST_PASS_WEIGHTS);
  if (first !== 10) return first;
  const second = weighted(SECOND_PASS_WEIGHTS);
  return second === 10 ? null : second;
}

function hasValidCheckDigit(id: string): boolean {
  return /^\d{12}$/.test(id) && checkDigit(id.slice(0, 11)) === Number(id[11]);
}

export interface IinFacts {
  birthDate: string; // YYYY-MM-DD
  sex: Sex;
}

/** Digit 7 of an IIN: the century of birth and the sex. */
const CENTURY_DIGIT: Record<string, { century: number; sex: Sex }> = {
  '1': { century: 1800, sex: Sex.MALE },
  '2': { century: 1800, sex: Sex.FEMALE },
  '3': { century: 1900, sex: Sex.MALE },
  '4': { century: 1900, sex: Sex.FEMALE },
  '5': { century: 2000, sex: Sex.MALE },
  '6': { century: 2000, sex: Sex.FEMALE },
};

export type IinProblem = 'FORMAT' | 'CHECK_DIGIT' | 'CENTURY_DIGIT' | 'BIRTH_DATE';

export type IinResult = { ok: true; facts: IinFacts } | { ok: false; problem: IinProblem; message: string };

/** Validates an IIN and reads the birth date and sex it encodes. */
export function parseIin(iin: string): IinResult {
  if (!/^\d{12}$/.test(iin)) return { ok: false, problem: 'FORMAT', message: 'An IIN is exactly 12 digits.' };
  const centuryInfo = CENTURY_DIGIT[iin[6]!];
  if (!centuryInfo) {
    return { ok: false, problem: 'CENTURY_DIGIT', message: 'The 7th digit of an IIN (century and sex) must be 1–6.' };
  }
  const year = centuryInfo.century + Number(iin.slice(0, 2));
  const month = Number(iin.slice(2, 4));
  const day = Number(iin.slice(4, 6));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { ok: false, problem: 'BIRTH_DATE', message: 'The IIN encodes a birth date that does not exist.' };
  }
  if (!hasValidCheckDigit(iin)) {
    return { ok: false, problem: 'CHECK_DIGIT', message: 'The IIN check digit is wrong: please re-check the number.' };
  }
  return { ok: true, facts: { birthDate: date.toISOString().slice(0, 10), sex: centuryInfo.sex } };
}

/** BIN: YYMM of registration, an entity-type digit (4–6), an attribute digit, serial, check digit. */
export function validateBin(bin: string): { ok: true } | { ok: false; message: string } {
  if (!/^\d{12}$/.test(bin)) return { ok: false, message: 'A BIN is exactly 12 digits.' };
  const month = Number(bin.slice(2, 4));
  if (month < 1 || month > 12) return { ok: false, message: 'The BIN encodes a registration month that does not exist.' };
  if (!['4', '5', '6'].includes(bin[4]!)) {
    return { ok: false, message: 'The 5th digit of a BIN (entity type) must be 4, 5 or 6.' };
  }
  if (!hasValidCheckDigit(bin)) return { ok: false, message: 'The BIN check digit is wrong: please re-check the number.' };
  return { ok: true };
}

/**
 * Completes 11 digits with their check digit; returns null for the rare prefixes that have none.
 * Used by the demo data and test builders to make valid numbers.
 */
export function withCheckDigit(first11: string): string | null {
  const digit = checkDigit(first11);
  return digit === null ? null : first11 + digit;
}

/**
 * Normalises a Kazakh phone number to +7XXXXXXXXXX. Accepts spaces, dashes, brackets and the
 * domestic leading 8; every Kazakh number (mobile or landline) is +7 7XX….
 */
export function normalizePhone(raw: string): string | null {
  const compact = raw.replace(/[\s\-()]/g, '');
  const normalized = /^8\d{10}$/.test(compact) ? `+7${compact.slice(1)}` : compact;
  return /^\+77\d{9}$/.test(normalized) ? normalized : null;
}
