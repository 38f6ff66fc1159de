// Kazakh bank details as a treasury executes them: the IBAN (ISO 13616, 20 characters in
// Kazakhstan) and the BIK (the bank's identifier code, SWIFT-like). Pure checks, no I/O.

/** Why an IBAN or a BIK is refused. */
export type BankDetailsProblem = 'FORMAT' | 'COUNTRY' | 'CHECK_DIGITS';

export type Checked = { ok: true; value: string } | { ok: false; problem: BankDetailsProblem };

/** A Kazakh IBAN: KZ, two check digits, a three-digit bank code and a 13-character account. */
const KZ_IBAN = /^KZ[0-9]{2}[0-9]{3}[0-9A-Z]{13}$/;
/** A BIK as Kazakh banks use it: bank (4 letters), KZ, location (2), and an optional branch (3). */
const KZ_BIK = /^[A-Z]{4}KZ[0-9A-Z]{2}([0-9A-Z]{3})?$/;

/** Spaces are how IBANs are printed ("KZ86 125K …"); case is not significant. */
const normalize = (raw: string) => raw.replace(/\s+/g, '').toUpperCase();

/** ISO 7064 mod 97-10 over the IBAN rearranged (country and check digits moved to the end, letters as 10–35). */
function mod97(rearranged: string): number {
  let rest = 0;
  for (const ch of rearranged) {
    const digits = /[0-9]/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest;
}

export function checkIban(raw: string): Checked {
  const iban = normalize(raw);
  if (!/^[A-Z]{2}[0-9]{2}[0-9A-Z]+$/.test(iban)) return { ok: false, problem: 'FORMAT' };
  if (!iban.startsWith('KZ')) return { ok: false, problem: 'COUNTRY' };
  if (!KZ_IBAN.test(iban)) return { ok: false, problem: 'FORMAT' };
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) return { ok: false, problem: 'CHECK_DIGITS' };
  return { ok: true, value: iban };
}

/** The check digits that make `KZ?? + bban` valid (for building examples and test data). */
export function kzIbanOf(bban: string): string {
  const body = normalize(bban);
  const check = 98 - mod97(`${body}KZ00`);
  return `KZ${String(check).padStart(2, '0')}${body}`;
}

export function checkBik(raw: string): Checked {
  const bik = normalize(raw);
  if (!/^[0-9A-Z]{8}([0-9A-Z]{3})?$/.test(bik)) return { ok: false, problem: 'FORMAT' };
  if (bik.slice(4, 6) !== 'KZ') return { ok: false, problem: 'COUNTRY' };
  if (!KZ_BIK.test(bik)) return { ok: false, problem: 'FORMAT' };
  return { ok: true, value: bik };
}

export const BANK_DETAILS_MESSAGES: Record<BankDetailsProblem, string> = {
  FORMAT: 'is not in the Kazakh format',
  COUNTRY: 'is not a Kazakh one',
  CHECK_DIGITS: 'has wrong check digits',
};
