import type { EntityManager } from '@mikro-orm/postgresql';
import { PrivacyGuard } from './auth/privacy-guard.js';
import type { Viewer } from './auth/viewer.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { IdentityRegistry } from './identity/registry.js';
import type { Logger } from './logger.js';
import { type Clock, systemClock } from './clock.js';
import type { RealtimeHub } from './realtime/hub.js';
import { createServices, type Services } from './services/index.js';

/**
 * Everything one GraphQL operation works with. Built the same way for an HTTP request and for each
 * graphql-ws subscription: its own EntityManager fork, its own DataLoaders, its own services.
 */
export interface Context {
  viewer: Viewer;
  em: EntityManager;
  /** This operation's own DataLoaders, made on first use: most subscriptions never read any. */
  readonly loaders: Loaders;
  /** The access policy applied to this caller (src/auth/policy.ts), made on first use. */
  readonly privacy: PrivacyGuard;
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
  registry: IdentityRegistry | null = null,
  clock: Clock = systemClock,
): Promise<Context> {
  const em = rootEm.fork();
  const services = createServices(em, realtime, registry, clock);
  const viewer = await identify(services);
  let loaders: Loaders | undefined;
  let privacy: PrivacyGuard | undefined;
  const lazyLoaders = () => (loaders ??= createLoaders(em));
  return {
    viewer,
    em,
    // A live subscription holds its context for as long as it is open; made eagerly, its
    // DataLoaders would be kept for every subscriber, though a subscription rarely reads one.
    get loaders() {
      return lazyLoaders();
    },
    get privacy() {
      return (privacy ??= new PrivacyGuard(viewer, em, lazyLoaders()));
    },
    services,
    requestId,
    log: log.child({ requestId, role: viewer.role }),
  };
}
