import { PriorityCategory } from './enums.js';

/**
 * A category's rank under a city's priority order (0 = first). NONE, and any category the city
 * does not list, ranks after every listed one.
 */
export function priorityRank(order: readonly PriorityCategory[], category: PriorityCategory): number {
  const index = category === PriorityCategory.NONE ? -1 : order.indexOf(category);
  return index === -1 ? order.length : index;
}
