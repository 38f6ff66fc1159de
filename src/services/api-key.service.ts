import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { ApiKey } from '../entities/index.js';
import { notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { requireRole } from './access.js';
import { requireText } from './validate.js';

/** Keys look like kzk_<12 hex prefix>_<43 base64url secret>. */
const KEY_RE = /^kzk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const hash = (secret: string) => createHash('sha256').update(secret).digest();
/** lastUsedAt is a hint for admins, so it is written at most this often per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const looksLikeApiKey = (value: string): boolean => value.startsWith('kzk_');

/** API keys for partner agencies. Issued and revoked by ADMIN; the plain key is shown once. */
export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async create(viewer: Viewer, name: string): Promise<{ apiKey: ApiKey; key: string }> {
    requireRole(viewer, Role.ADMIN);
    const label = requireText(name, 'input.name', { min: 2, max: 200 });
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const apiKey = new ApiKey(label, prefix, hash(secret).toString('hex'));
    await this.em.persistAndFlush(apiKey);
    return { apiKey, key: `kzk_${prefix}_${secret}` };
  }

  async revoke(viewer: Viewer, apiKeyId: string): Promise<ApiKey> {
    requireRole(viewer, Role.ADMIN);
    const apiKey = isUuid(apiKeyId) ? await this.em.findOne(ApiKey, { id: apiKeyId }) : null;
    if (!apiKey) throw notFound('API key', apiKeyId);
    apiKey.revokedAt ??= this.clock();
    await this.em.flush();
    return apiKey;
  }

  async list(viewer: Viewer): Promise<ApiKey[]> {
    requireRole(viewer, Role.ADMIN);
    return this.em.find(ApiKey, {}, { orderBy: { id: 'asc' } });
  }

  /**
   * Which of these keys have been revoked. Open WebSockets ask this periodically and at each
   * subscribe, so a key revoked on any instance stops working on every instance's sockets too.
   */
  async revokedAmong(apiKeyIds: string[]): Promise<string[]> {
    if (apiKeyIds.length === 0) return [];
    const rows = await this.em.find(ApiKey, { id: { $in: apiKeyIds }, revokedAt: { $ne: null } }, { fields: ['id'] });
    return rows.map((row) => row.id);
  }

  /** The AGENCY viewer for a valid, unrevoked key; null for anything else. */
  async authenticate(raw: string): Promise<Viewer | null> {
    const match = KEY_RE.exec(raw);
    if (!match) return null;
    const apiKey = await this.em.findOne(ApiKey, { prefix: match[1]!, revokedAt: null });
    if (!apiKey || !timingSafeEqual(hash(match[2]!), Buffer.from(apiKey.secretHash, 'hex'))) return null;
    const now = this.clock();
    if (!apiKey.lastUsedAt || now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.em.nativeUpdate(ApiKey, { id: apiKey.id }, { lastUsedAt: now });
    }
    return { role: Role.AGENCY, name: apiKey.name, apiKeyId: apiKey.id };
  }
}
