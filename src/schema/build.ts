import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { RESOLVERS } from '../resolvers/index.js';
import './enums.js';

let cached: Promise<GraphQLSchema> | undefined;

/** The executable schema. Built once per process: type-graphql's metadata is global anyway. */
export function buildKezekSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false });
  return cached;
}
