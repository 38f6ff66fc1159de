import { type EntityManager, ref } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { City, CityHoliday } from '../entities/index.js';
import { badInput } from '../errors.js';
import type { Clock } from '../clock.js';
import { addDays, localDate } from '../domain/calendar.js';
import { requireCityAuthority } from './access.js';
import { actorOf, recordAudit } from './audit.service.js';
import type { CityService } from './city.service.js';
import { inTransaction } from './transaction.js';
import { requireText } from './validate.js';

const YEAR_RE = /^\d{4}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A city's holiday calendar, one year at a time, set by its operator: timesheet sessions on a
 * holiday are refused or flagged per the city's rules. Responsible for auth checks.
 */
export class HolidayService {
  constructor(
    private readonly em: EntityManager,
    private readonly cities: CityService,
    private readonly clock: Clock,
  ) {}

  /** The city's holidays of the year (default: the city's current one), by date. Public: a calendar is no one's personal data. */
  async list(cityCode: string, rawYear?: string | null): Promise<CityHoliday[]> {
    const city = await this.cities.byCode(cityCode, 'city');
    const year = rawYear ?? localDate(city.timezone, this.clock()).slice(0, 4);
    if (!YEAR_RE.test(year)) throw badInput('year', 'year is "YYYY".');
    return this.em.find(CityHoliday, { city: city.id, date: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } }, { orderBy: { date: 'asc' } });
  }

  /** Replaces the city's holidays of one year with these (an empty list clears the year). Audited with before and after. */
  async setYear(viewer: Viewer, cityCode: string, year: string, holidays: { date: string; name: string }[]): Promise<CityHoliday[]> {
    requireCityAuthority(viewer, cityCode.trim().toUpperCase());
    const city = await this.cities.byCode(cityCode, 'input.city');
    if (!YEAR_RE.test(year)) throw badInput('input.year', 'year is "YYYY".');
    if (holidays.length > 60) throw badInput('input.holidays', 'At most 60 holidays a year.');
    const seen = new Set<string>();
    const clean = holidays.map((h, i) => {
      if (!DATE_RE.test(h.date) || Number.isNaN(Date.parse(`${h.date}T00:00:00Z`)) || addDays(h.date, 0) !== h.date) throw badInput(`input.holidays[${i}].date`, 'date is a real calendar date, YYYY-MM-DD.');
      if (!h.date.startsWith(`${year}-`)) throw badInput(`input.holidays[${i}].date`, `${h.date} is not in ${year}.`);
      if (seen.has(h.date)) throw badInput(`input.holidays[${i}].date`, `${h.date} is listed twice.`);
      seen.add(h.date);
      return { date: h.date, name: requireText(h.name, `input.holidays[${i}].name`, { min: 1, max: 200 }) };
    });
    const actor = actorOf(viewer);
    return inTransaction(this.em, async (em) => {
      const before = await em.find(CityHoliday, { city: city.id, date: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } }, { orderBy: { date: 'asc' } });
      before.forEach((h) => em.remove(h));
      await em.flush();
      const after = clean.sort((a, b) => a.date.localeCompare(b.date)).map((h) => new CityHoliday(ref(em.getReference(City, city.id)), h.date, h.name, `${actor.role}:${actor.id}`));
      after.forEach((h) => em.persist(h));
      recordAudit(em, actor, {
        action: 'HOLIDAYS_SET',
        entityType: 'HolidayCalendar',
        entityId: city.id, // the city's calendar; the year is in before/after
        cityCode: city.code,
        before: { year, holidays: before.map((h) => ({ date: h.date, name: h.name })) },
        after: { year, holidays: after.map((h) => ({ date: h.date, name: h.name })) },
      });
      await em.flush();
      return after;
    });
  }
}
