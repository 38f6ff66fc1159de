import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { Role } from '../domain/enums.js';
import type { Viewer } from '../auth/viewer.js';
import { AuditEvent } from '../entities/index.js';
import { badInput } from '../errors.js';
import { requireRole } from './access.js';
import { type Page, type PageArgs, readPageArgs, toPage } from './pagination.js';

/** Who did something, as written into the audit log. The scheduler acts as SYSTEM. */
export interface Actor {
  role: string;
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { role: 'SYSTEM', id: 'scheduler' };

export function actorOf(viewer: Viewer): Actor {
  switch (viewer.role) {
    case Role.PARENT:
      return { role: viewer.role, id: viewer.iin };
    case Role.PROVIDER:
      return { role: viewer.role, id: viewer.providerId ?? `bin:${viewer.bin}` };
    case Role.OPERATOR:
      return { role: viewer.role, id: viewer.name ? `${viewer.cityCode}:${viewer.name}` : viewer.cityCode };
    case Role.AGENCY:
      return { role: viewer.role, id: viewer.apiKeyId ?? viewer.name ?? null };
    case Role.ADMIN:
      return { role: viewer.role, id: viewer.name ?? null };
    case Role.PUBLIC:
      return { role: viewer.role, id: null };
  }
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  cityCode: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  rulesVersion?: number | null;
  reason?: string | null;
}

/** Appends an event in the caller's transaction: the change and its record commit together. */
export function recordAudit(em: EntityManager, actor: Actor, entry: AuditEntry): void {
  em.persist(
    new AuditEvent({
      actorRole: actor.role,
      actorId: actor.id,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      cityCode: entry.cityCode,
      before: entry.before ?? null,
      after: entry.after ?? null,
      rulesVersion: entry.rulesVersion ?? null,
      reason: entry.reason ?? null,
    }),
  );
}

export interface AuditFilter {
  city?: string | null;
  action?: string | null;
  entityId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Reading the audit log: operators see their city's, agencies and admins everything. */
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  async list(viewer: Viewer, filter: AuditFilter = {}, pageArgs: PageArgs = {}): Promise<Page<AuditEvent>> {
    requireRole(viewer, Role.OPERATOR, Role.AGENCY, Role.ADMIN);
    const { limit, afterId } = readPageArgs(pageArgs);
    const city = viewer.role === Role.OPERATOR ? viewer.cityCode : filter.city?.toUpperCase();
    if (viewer.role === Role.OPERATOR && filter.city && filter.city.toUpperCase() !== viewer.cityCode) {
      throw badInput('filter.city', `Operators read the audit log of their own city (${viewer.cityCode}).`);
    }
    const where: FilterQuery<AuditEvent>[] = [];
    if (city) where.push({ cityCode: city });
    if (filter.action) where.push({ action: filter.action.toUpperCase() });
    if (filter.entityId) where.push({ entityId: filter.entityId });
    if (filter.from) where.push({ occurredAt: { $gte: filter.from } });
    if (filter.to) where.push({ occurredAt: { $lt: filter.to } });
    const rows = await this.em.find(
      AuditEvent,
      { $and: [...where, ...(afterId ? [{ id: { $gt: afterId } }] : [])] },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit, () => this.em.count(AuditEvent, { $and: where }));
  }
}
