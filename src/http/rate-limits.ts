import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import proxyaddr from 'proxy-addr';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Viewer } from '../auth/viewer.js';
import { Role } from '../domain/enums.js';
import { DomainError, ErrorCode, refusal } from '../errors.js';

/** Rate limits, per API instance (README "Limits and rate limits"). Rates are per minute. */
export interface RateLimitSettings {
  /** HTTP requests and WebSocket connects and subscribes from one client address, per minute. */
  requestsPerAddress: number;
  /** Operations by one signed-in caller (a parent, a provider, an operator, an API key…), per minute. */
  requestsPerCaller: number;
  /** Mutations by one signed-in caller, per minute. */
  mutationsPerCaller: number;
  /** WebSocket connections open at once from one client address. */
  connectionsPerAddress: number;
  /** Subscriptions open at once on one WebSocket connection. */
  subscriptionsPerConnection: number;
}

/**
 * Generous enough for many families behind one mobile carrier's address (carrier-grade NAT is
 * common), tight enough that a script is stopped within a minute: one family's real use is a
 * few requests a minute, and an operator's desk well under one mutation a second.
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  requestsPerAddress: 1200,
  requestsPerCaller: 600,
  mutationsPerCaller: 60,
  connectionsPerAddress: 200,
  subscriptionsPerConnection: 25,
};

/** Benchmarks measure throughput from one address (thousands of clients on one socket), not the limits. */
export const BENCH_RATE_LIMITS: RateLimitSettings = {
  requestsPerAddress: 1e9,
  requestsPerCaller: 1e9,
  mutationsPerCaller: 1e9,
  connectionsPerAddress: 1e9,
  subscriptionsPerConnection: 1000,
};

/** Which proxies' X-Forwarded-For to believe: none (false), the nearest N hops, or these addresses/ranges. */
export type TrustProxy = false | number | string[];

/** The function proxy-addr (and Express's `trust proxy`) take; addresses are checked by config. */
export function compileTrust(trust: TrustProxy): (address: string, hop: number) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile(trust);
}

/**
 * The client's address: the socket's peer, or the nearest untrusted address in X-Forwarded-For
 * when the peer is a trusted proxy. Requests over the Unix socket share one key.
 */
export function clientAddress(req: IncomingMessage, trust: (address: string, hop: number) => boolean): string {
  if (!req.socket.remoteAddress) return 'unix-socket';
  return proxyaddr(req, trust);
}

/** One bucket key per signed-in identity, whichever token or key it came with; null for PUBLIC. */
export function callerKey(viewer: Viewer): string | null {
  switch (viewer.role) {
    case Role.PARENT:
      return `parent:${viewer.iin}`;
    case Role.PROVIDER:
      return `provider:${viewer.providerId ?? `bin:${viewer.bin}`}:${viewer.name ?? ''}`;
    case Role.OPERATOR:
      return `operator:${viewer.cityCode}:${viewer.name ?? ''}`;
    case Role.AGENCY:
      return viewer.apiKeyId ? `api-key:${viewer.apiKeyId}` : `agency:${viewer.name ?? ''}`;
    case Role.ADMIN:
      return `admin:${viewer.name ?? ''}`;
    default:
      return null;
  }
}

/** RATE_LIMITED with Retry-After: as the HTTP header (429) and in the error's extensions (HTTP and WebSocket). */
export function rateLimited(message: string, retryAfterSeconds: number, limit: string): DomainError {
  return refusal(ErrorCode.RATE_LIMITED, `${message} Retry after ${retryAfterSeconds} s.`, { retryAfter: retryAfterSeconds, limit }, new HeaderMap([['retry-after', String(retryAfterSeconds)]]));
}

/**
 * Counters in this process's memory (rate-limiter-flexible, fixed one-minute windows). Behind a
 * load balancer each instance counts on its own, so a client spread over N instances gets up to
 * N times the rate: set the limits per instance accordingly.
 */
export class RateLimits {
  private readonly perAddress: RateLimiterMemory;
  private readonly perCaller: RateLimiterMemory;
  private readonly mutations: RateLimiterMemory;
  private readonly connections = new Map<string, number>();

  constructor(readonly settings: RateLimitSettings) {
    this.perAddress = new RateLimiterMemory({ keyPrefix: 'address', points: settings.requestsPerAddress, duration: 60 });
    this.perCaller = new RateLimiterMemory({ keyPrefix: 'caller', points: settings.requestsPerCaller, duration: 60 });
    this.mutations = new RateLimiterMemory({ keyPrefix: 'mutation', points: settings.mutationsPerCaller, duration: 60 });
  }

  /** Counts one request from an address; throws RATE_LIMITED once over the limit. */
  async address(address: string): Promise<void> {
    await consume(this.perAddress, address, `Too many requests from your address: at most ${this.settings.requestsPerAddress} a minute.`, 'requestsPerAddress');
  }

  /** Counts one operation (and, for a mutation, one mutation) by a signed-in caller. */
  async caller(viewer: Viewer, isMutation: boolean): Promise<void> {
    const key = callerKey(viewer);
    if (!key) return;
    await consume(this.perCaller, key, `Too many requests with your credentials: at most ${this.settings.requestsPerCaller} a minute.`, 'requestsPerCaller');
    if (isMutation) await consume(this.mutations, key, `Too many changes with your credentials: at most ${this.settings.mutationsPerCaller} mutations a minute.`, 'mutationsPerCaller');
  }

  /** Takes one of an address's WebSocket connections; the returned release gives it back, null when none is left. */
  openConnection(address: string): (() => void) | null {
    const open = this.connections.get(address) ?? 0;
    if (open >= this.settings.connectionsPerAddress) return null;
    this.connections.set(address, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.connections.get(address) ?? 1) - 1;
      if (left <= 0) this.connections.delete(address);
      else this.connections.set(address, left);
    };
  }
}

async function consume(limiter: RateLimiterMemory, key: string, message: string, limit: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (res) {
    if (!(res instanceof RateLimiterRes)) throw res;
    throw rateLimited(message, Math.max(1, Math.ceil(res.msBeforeNext / 1000)), limit);
  }
}
