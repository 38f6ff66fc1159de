// When a payment is due, from the city's rules (the day of the month after the settled month).

/** "YYYY-MM" → the next month, "YYYY-MM". */
export function nextMonth(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The due date of a payment of `period` calculated on `today` (YYYY-MM-DD, the city's date):
 * day `dueDay` of the month after the period; a supplementary payment calculated after that day
 * would be born overdue, so it is due on `dueDay` of the month after its calculation instead.
 */
export function dueDateOf(period: string, dueDay: number, today: string): string {
  const day = String(dueDay).padStart(2, '0');
  const due = `${nextMonth(period)}-${day}`;
  return due >= today ? due : `${nextMonth(today.slice(0, 7))}-${day}`;
}
