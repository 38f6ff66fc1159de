import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityClass } from '@mikro-orm/core';
import { City, Provider } from './entities/index.js';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Batches `id → entity` reads within one operation: one SQL statement per entity type per tick,
 * however many rows a page holds. Made fresh per request so nothing is cached across callers.
 */
function byId<T extends { id: string }>(em: EntityManager, entity: EntityClass<T>) {
  return new DataLoader<string, T>(async (ids) => {
    const rows = await em.find(entity, { id: { $in: [...ids] } } as never);
    const map = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => map.get(id) ?? new Error(`${entity.name} ${id} not found`));
  });
}

export function createLoaders(em: EntityManager) {
  return {
    city: byId(em, City),
    provider: byId(em, Provider),
  };
}
