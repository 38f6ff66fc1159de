import { randomInt } from 'node:crypto';
import { withCheckDigit } from '../../src/domain/kazakh-ids.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A random valid IIN for someone born on `birthDate` (YYYY-MM-DD). */
export function randomIin(birthDate = '2015-03-14', sex: 'MALE' | 'FEMALE' = 'MALE'): string {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const centuryDigit = { 1800: 1, 1900: 3, 2000: 5 }[Math.floor(y / 100) * 100 as 1800 | 1900 | 2000] + (sex === 'FEMALE' ? 1 : 0);
  for (;;) {
    // Serials 5000+ are the article scenario's (src/seed/article-scenario.ts): never collide with it.
    const iin = withCheckDigit(`${pad(y % 100, 2)}${pad(m, 2)}${pad(d, 2)}${centuryDigit}${pad(randomInt(5_000), 4)}`);
    if (iin) return iin;
  }
}

/** A random valid BIN of a resident legal entity. */
export function randomBin(): string {
  for (;;) {
    const bin = withCheckDigit(`${pad(randomInt(100), 2)}${pad(randomInt(1, 13), 2)}40${pad(randomInt(100_000), 5)}`);
    if (bin) return bin;
  }
}

/** An adult parent's IIN. */
export const randomParentIin = () => randomIin(`19${randomInt(70, 99)}-0${randomInt(1, 10)}-1${randomInt(0, 10)}`);

/** A birth date between 1 June 2015 and 1 June 2016: a child of 9–11 in 2026 and 2027. */
export function randomChildBirthDate(): string {
  const from = Date.UTC(2015, 5, 1);
  return new Date(from + randomInt(366) * 86_400_000).toISOString().slice(0, 10);
}
