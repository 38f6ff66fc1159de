import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { encodeCursor, type Page } from '../services/pagination.js';

@ObjectType('LocalizedText', { description: 'Text in Kazakh and Russian, with an optional English version.' })
export class LocalizedTextType {
  @Field(() => String, { description: 'Kazakh.' })
  kk!: string;

  @Field(() => String, { description: 'Russian.' })
  ru!: string;

  @Field(() => String, { nullable: true, description: 'English, where given.' })
  en?: string | null;
}

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when more items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'Always false: these lists are paged forward only.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item on this page.' })
  startCursor?: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor?: string | null;
}

/** Builds the Edge and Connection types of a Relay list of `NodeType`. */
export function ConnectionType<T extends object>(NodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a list, with its cursor.` })
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this item.' })
    cursor!: string;

    @Field(() => NodeType, { description: `The ${name}.` })
    node!: T;
  }

  // Decorated so its fields are inherited; only the concrete subclasses (ProgramConnection, …) are
  // reachable from resolvers, so only they appear in the schema.
  @ObjectType()
  abstract class Connection {
    @Field(() => [Edge], { description: 'The items of this page, in order.' })
    edges!: Edge[];

    @Field(() => PageInfo, { description: 'Where this page is in the whole list.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items the whole list holds under the same filter.' })
    totalCount!: number | Promise<number>;
  }
  return Connection;
}

/** Turns a service page into a Relay connection; totalCount is counted only when selected. */
export function toConnection<T extends { id: string }>(page: Page<T>) {
  const edges = page.nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    get totalCount() {
      return page.totalCount();
    },
  };
}
