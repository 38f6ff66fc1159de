// The access policy's per-field answers, without a database: which fields a role reads, the
// per-record exceptions, and how free-form audit payloads lose personal keys.
import { describe, expect, it } from 'vitest';
import { PrivacyGuard, scrubPersonal } from '../../src/auth/privacy-guard.js';
import type { Viewer } from '../../src/auth/viewer.js';
import { Role } from '../../src/domain/enums.js';

const guard = (viewer: Viewer) => new PrivacyGuard(viewer, null as never, null as never);
const fields = (viewer: Viewer, type: string, names: string[], record: unknown = {}) => Object.fromEntries(names.map((n) => [n, guard(viewer).fieldAccess(type, n, record)]));

describe('the access policy', () => {
  it('gives a provider a roster, an operator everything but the IIN, an agency no identifier', () => {
    const child = ['iin', 'fullName', 'birthDate', 'age', 'priorityCategory'];
    expect(fields({ role: Role.PROVIDER, providerId: 'p' }, 'Child', child)).toEqual({ iin: 'hidden', fullName: 'visible', birthDate: 'hidden', age: 'visible', priorityCategory: 'hidden' });
    expect(fields({ role: Role.OPERATOR, cityCode: 'ASTANA' }, 'Child', child)).toEqual({ iin: 'hidden', fullName: 'visible', birthDate: 'visible', age: 'visible', priorityCategory: 'visible' });
    expect(fields({ role: Role.AGENCY }, 'Child', child)).toEqual({ iin: 'hidden', fullName: 'hidden', birthDate: 'hidden', age: 'visible', priorityCategory: 'visible' });
    expect(fields({ role: Role.PARENT, iin: '880101300010' }, 'Child', child)).toEqual(Object.fromEntries(child.map((f) => [f, 'visible'])));
    expect(fields({ role: Role.PUBLIC }, 'Child', ['id'])).toEqual({ id: 'hidden' });
  });

  it('hides an audit actor who is a parent, and scrubs payloads, for operators and agencies', () => {
    const operator: Viewer = { role: Role.OPERATOR, cityCode: 'ASTANA' };
    expect(fields(operator, 'AuditEvent', ['actorId', 'before'], { actorRole: 'PARENT' })).toEqual({ actorId: 'hidden', before: 'scrubbed' });
    expect(fields(operator, 'AuditEvent', ['actorId'], { actorRole: 'OPERATOR' })).toEqual({ actorId: 'visible' });
    expect(fields({ role: Role.AGENCY }, 'AuditEvent', ['reason'])).toEqual({ reason: 'hidden' });
    expect(fields({ role: Role.ADMIN }, 'AuditEvent', ['actorId', 'before'], { actorRole: 'PARENT' })).toEqual({ actorId: 'visible', before: 'visible' });
  });

  it('removes personal keys from free-form JSON at any depth', () => {
    expect(
      scrubPersonal({ status: 'QUEUED', childIin: '160520600028', parent: { fullName: 'X', phone: '+77011234567', language: 'KK' }, items: [{ birthDate: '2016-05-20', programId: 'p' }] }),
    ).toEqual({ status: 'QUEUED', parent: { language: 'KK' }, items: [{ programId: 'p' }] });
    expect(scrubPersonal(null)).toBeNull();
  });
});
