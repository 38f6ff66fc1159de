// The state population registry, behind a small adapter: Kezek asks whether a parent is a child's
// legal representative and whether a child has a priority category, and records the answer.
import { type PriorityCategory, type Relationship } from '../domain/enums.js';
import { RegistryAnswer } from '../entities/index.js';
import type { Logger } from '../logger.js';
import type { RegistryConfig } from './registry-config.js';

export interface RegistryQuestion {
  parentIin: string;
  childIin: string;
  relationship: Relationship;
  /** Asked only while a declared category waits for a decision. */
  priorityCategory: PriorityCategory | null;
}

export interface RegistryReply {
  link: RegistryAnswer;
  /** Absent when no category was asked about, or the registry does not hold categories. */
  priorityCategory?: RegistryAnswer;
  /** The registry's own reference for the record it checked, kept as the decision's evidence. */
  reference?: string;
}

export interface IdentityRegistry {
  readonly name: string;
  /** Resolves with the registry's answer; throws when it could not be asked (the claim is retried later). */
  check(question: RegistryQuestion): Promise<RegistryReply>;
}

/**
 * For the embedded start and tests: confirms every parent–child link, so the README's walkthrough
 * reaches an offer, and never a priority category (those always go to an operator). It says so in
 * the log once, so nobody mistakes it for a real registry.
 */
export class DemoRegistry implements IdentityRegistry {
  readonly name = 'demo';

  constructor(log?: Logger) {
    log?.warn('identity registry: demo adapter — every parent–child link is confirmed without a registry check; priority categories need an operator. Never use it in production (IDENTITY_REGISTRY=webhook).');
  }

  async check(): Promise<RegistryReply> {
    return { link: RegistryAnswer.CONFIRMED, reference: 'demo' };
  }
}

export interface WebhookRegistryOptions {
  url: URL;
  token?: string;
  timeoutMs: number;
}

const ANSWERS = new Set<string>(Object.values(RegistryAnswer));

/**
 * POSTs `{ parentIin, childIin, relationship, priorityCategory }` to the registry gateway and
 * expects `{ link: "CONFIRMED" | "DENIED" | "UNKNOWN", priorityCategory?: …, reference?: string }`.
 * Anything else — a timeout, a non-2xx status, a body that is not that shape — is a failure, and
 * the claim is asked about again later.
 */
export class WebhookRegistry implements IdentityRegistry {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookRegistryOptions) {}

  async check(question: RegistryQuestion): Promise<RegistryReply> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.options.url, { method: 'POST', headers, body: JSON.stringify(question), signal });
    } catch (err) {
      const e = err as Error & { cause?: Error };
      if (e?.name === 'TimeoutError' || e?.name === 'AbortError') throw new Error(`registry gateway timed out after ${this.options.timeoutMs} ms`);
      throw new Error(`registry gateway request failed: ${e?.cause?.message ?? e?.message ?? String(err)}`);
    }
    const text = await response.text().catch((err: Error) => {
      throw new Error(`registry gateway reply could not be read: ${err.name === 'TimeoutError' ? 'timed out' : err.message}`);
    });
    if (!response.ok) throw new Error(`registry gateway answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error('registry gateway answered with a body that is not JSON');
    }
    if (typeof body?.link !== 'string' || !ANSWERS.has(body.link)) throw new Error('registry gateway answer has no valid "link" (CONFIRMED, DENIED or UNKNOWN)');
    const category = body.priorityCategory;
    if (category != null && (typeof category !== 'string' || !ANSWERS.has(category))) throw new Error('registry gateway answer has an invalid "priorityCategory"');
    const reference = typeof body.reference === 'string' ? body.reference.slice(0, 200) : undefined;
    return { link: body.link as RegistryAnswer, priorityCategory: (category as RegistryAnswer | null) ?? undefined, reference };
  }
}

export function createIdentityRegistry(config: RegistryConfig, log: Logger): IdentityRegistry {
  switch (config.adapter) {
    case 'demo':
      return new DemoRegistry(log);
    case 'webhook':
      return new WebhookRegistry({ url: config.webhookUrl!, token: config.webhookToken, timeoutMs: config.timeoutMs });
  }
}
