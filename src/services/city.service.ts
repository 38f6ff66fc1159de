import type { EntityManager } from '@mikro-orm/postgresql';
import { City } from '../entities/index.js';
import { badInput } from '../errors.js';

/** The cities running the programme. Public reference data. */
export class CityService {
  constructor(private readonly em: EntityManager) {}

  list(): Promise<City[]> {
    return this.em.find(City, {}, { orderBy: { code: 'asc' } });
  }

  /** The city with this code, or BAD_USER_INPUT on `field` naming the codes that exist. */
  async byCode(code: string, field: string): Promise<City> {
    const city = await this.em.findOne(City, { code: code.trim().toUpperCase() });
    if (!city) {
      const codes = (await this.list()).map((c) => c.code).join(', ');
      throw badInput(field, `Unknown city "${code}". Known cities: ${codes}.`);
    }
    return city;
  }
}
