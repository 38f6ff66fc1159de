import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from './auth/viewer.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { Logger } from './logger.js';
import type { RealtimeHub } from './realtime/hub.js';
import { createServices, type Services } from './services/index.js';

/**
 * Everything one GraphQL operation works with. Built the same way for an HTTP request and for each
 * graphql-ws subscription: its own EntityManager fork, its own DataLoaders, its own services.
 */
export interface Context {
  viewer: Viewer;
  em: EntityManager;
  loaders: Loaders;
  services: Services;
  requestId: string;
  log: Logger;
}

/**
 * `identify` establishes the viewer with the operation's own services (an API key is looked up in
 * the same fork the operation then uses).
 */
export async function createContext(
  rootEm: EntityManager,
  identify: (services: Services) => Promise<Viewer>,
  requestId: string,
  log: Logger,
  realtime: RealtimeHub | null = null,
): Promise<Context> {
  const em = rootEm.fork();
  const services = createServices(em, realtime);
  const viewer = await identify(services);
  return { viewer, em, loaders: createLoaders(em), services, requestId, log: log.child({ requestId, role: viewer.role }) };
}
