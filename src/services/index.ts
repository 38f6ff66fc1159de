import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeyService } from './api-key.service.js';
import { ChildService } from './child.service.js';
import { CityService } from './city.service.js';
import { ProgramService } from './program.service.js';
import { ProviderService } from './provider.service.js';

export type Services = ReturnType<typeof createServices>;

/** The services of one operation, all sharing its EntityManager fork. */
export function createServices(em: EntityManager) {
  const cities = new CityService(em);
  return {
    cities,
    providers: new ProviderService(em, cities),
    programs: new ProgramService(em, cities),
    children: new ChildService(em),
    apiKeys: new ApiKeyService(em),
  };
}
