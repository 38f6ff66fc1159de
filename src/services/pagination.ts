import { badInput } from '../errors.js';
import { isUuid } from '../ids.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Relay-style page arguments, validated: `first` is capped so no query can ask for a whole table. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageRequest {
  limit: number;
  /** Keyset position: rows with a greater id come next (ids are UUIDv7, so this is creation order). */
  afterId: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Counted only if the client asks for it. */
  totalCount: () => Promise<number>;
}

const CURSOR_PREFIX = 'v1:';

export const encodeCursor = (id: string): string => Buffer.from(CURSOR_PREFIX + id).toString('base64url');

export function readPageArgs(args: PageArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 0 and ${MAX_PAGE_SIZE}.`);
  }
  if (args.after == null) return { limit: first, afterId: null };
  const decoded = Buffer.from(args.after, 'base64url').toString('utf8');
  const id = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  if (!isUuid(id)) throw badInput('after', 'after is not a cursor returned by this list.');
  return { limit: first, afterId: id };
}

/** Given limit + 1 rows fetched in order, splits off the look-ahead row that tells if more exist. */
export function toPage<T>(rows: T[], limit: number, totalCount: () => Promise<number>): Page<T> {
  return { nodes: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount };
}
