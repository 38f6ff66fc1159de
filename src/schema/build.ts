import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
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

/** The executable schema. Built once per process: type-graphql's metadata is global anyway. */
export function buildKezekSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false, pubSub: NO_TOPICS }).then(applyListLimits);
  return cached;
}
