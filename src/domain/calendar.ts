// Dates as the programme reckons them: in a city's own time zone, from a given instant (the
// caller's clock). Pure: nothing here reads the time itself.

/** The date at `now` in a time zone, as YYYY-MM-DD. */
export function localDate(timezone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The programme year at `now` in a city's time zone, "YYYY" (quotas and budgets are per year). */
export function currentPeriod(city: { timezone: string }, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: city.timezone, year: 'numeric' }).format(now);
}

/** A YYYY-MM-DD date `days` later (or earlier, when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole years between a YYYY-MM-DD birth date and `on`. */
export function ageOn(birthDate: string, on: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  if (on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d)) age -= 1;
  return age;
}
