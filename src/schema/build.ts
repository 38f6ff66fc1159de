import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { applyPrivacyGuard } from '../auth/privacy-guard.js';
import { RESOLVERS } from '../resolvers/index.js';
import './enums.js';
import { applyListLimits } from './list-limits.js';

let cached: Promise<GraphQLSchema> | undefined;

/**
 * type-graphql insists on a PubSub once a schema has subscriptions, but every Kezek subscription
 * brings its own `subscribe` (fed by the database event bus, src/realtime), so topics are unused.
 */
const NO_TOPICS: PubSub = {
  publish: () => {
    throw new Error('Kezek subscriptions do not use topics');
  },
  subscribe: () => {
    throw new Error('Kezek subscriptions do not use topics');
  },
};

/**
 * The executable schema. Built once per process: type-graphql's metadata is global anyway. Every
 * field that holds or leads to personal data is then wrapped by the privacy guard (src/auth/policy.ts).
 */
export function buildKezekSchema(): Promise<GraphQLSchema> {
  // Privacy first, so the list caps count what the caller may see.
  cached ??= buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false, pubSub: NO_TOPICS }).then(applyPrivacyGuard).then(applyListLimits);
  return cached;
}
