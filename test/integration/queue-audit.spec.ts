// The queue side's audit log, entry by entry (issue 12): every status change of applications,
// offers, vouchers and enrollments goes through moveTo now, one service owning each aggregate's
// writes, and the log must read exactly as it did — one entry per audited change, an answered or
// lapsed offer's entry naming the statuses its offer, application and voucher left and took.
// The file owns its city (seed.city()) in a database of its own (the shared one's city list shows
// the pilot cities only), so it runs beside the other files and moves only its own clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { freshDatabase } from '../support/fresh-database.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

let api: TestApi;
let drop: (() => Promise<void>) | undefined;
let seed: Seed;
let admin: string;
let operator: string;
let city: string;
let chess: string;
let football: string;

const AUDIT = `query($filter: AuditFilter) { auditLog(filter: $filter, first: 100) { edges { node { action actorRole actorId entityType entityId cityCode before after reason rulesVersion } } } }`;
const ISSUE = `mutation($input: IssueVouchersInput!) { issueVouchers(input: $input) { offers { id deadline voucher { id } application { id } } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id voucher { id } } } }`;
const DECLINE = `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { status } } }`;
const WITHDRAW = `mutation($a: ID!) { withdrawApplication(input: { applicationId: $a }) { application { status } } }`;
const RESTORE = `mutation($a: ID!) { restoreApplication(input: { applicationId: $a }) { application { status } } }`;
const SWITCH = `mutation($e: ID!, $p: ID!) { switchProgram(input: { enrollmentId: $e, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id } } }`;
const voucherAction = (name: string) => `mutation($v: ID!, $r: String!) { ${name}(input: { voucherId: $v, reason: $r }) { voucher { status } } }`;

type Type = 'TARGETED' | 'UNIVERSAL';
type Issued = { id: string; deadline: string; voucher: { id: string }; application: { id: string } };

beforeAll(async () => {
  const own = await freshDatabase('kezek_queue_audit');
  drop = own.drop;
  api = await TestApi.start({ db: own.db });
  seed = new Seed(api);
  admin = await seed.admin();
  city = await seed.city();
  operator = await seed.operator(city);
  // Rules of this city's own (version 2): a decline requeues, an expiry cancels, nothing is issued automatically.
  await api.data(
    `mutation($city: String!) { updateCityRules(input: { city: $city, onDecline: REQUEUE, onExpiry: CANCEL, autoIssueTypes: [], offerDeadlineHours: 48 }) { rules { version } } }`,
    { city },
    { token: operator },
  );
  const provider = await seed.provider({ city, kind: 'PRIVATE' }).approved();
  chess = (await seed.program(provider, { minAge: 6, maxAge: 12, seats: 10 })).id;
  football = (await seed.program(provider, { minAge: 6, maxAge: 12, seats: 10, direction: 'SPORTS' })).id;
});
afterAll(async () => {
  await api?.close();
  await drop?.();
});

const log = async (entityId: string) => (await api.data(AUDIT, { filter: { entityId } }, { token: admin })).auditLog.edges.map((e: any) => e.node);
const apply = (family: FamilyHandle, type: Type) => seed.apply(family, 0, type, city);
const issue = async (type: Type, count: number): Promise<Issued[]> => {
  await seed.quotaRoom(city, type, count);
  return (await api.data(ISSUE, { input: { city, voucherType: type, count } }, { token: operator })).issueVouchers.offers;
};
const entry = (fields: Record<string, unknown>) => ({ cityCode: city, reason: null, rulesVersion: null, ...fields });

describe('the audit log of the queue side', () => {
  it('an offer made and accepted, the child’s other offer declined and its waiting application cancelled', async () => {
    const family = await seed.parent().withChild(1, '2016-05-05');
    const universal = await apply(family, 'UNIVERSAL');
    const targeted = await apply(family, 'TARGETED');
    const [offer] = await issue('UNIVERSAL', 1);
    const [other] = await issue('TARGETED', 1);
    expect([offer!.application.id, other!.application.id]).toEqual([universal, targeted]);
    const { acceptOffer } = await api.data(ACCEPT, { o: offer!.id, p: chess }, { token: family.token });
    const parent = { actorRole: 'PARENT', actorId: family.iin };

    expect(await log(universal)).toEqual([
      entry({ action: 'APPLIED', ...parent, entityType: 'Application', entityId: universal, rulesVersion: 2, before: null, after: expect.objectContaining({ status: 'QUEUED', voucherType: 'UNIVERSAL' }) }),
      entry({
        action: 'OFFERED',
        actorRole: 'OPERATOR',
        actorId: city,
        entityType: 'Application',
        entityId: universal,
        rulesVersion: 2,
        before: { status: 'QUEUED' },
        after: { status: 'OFFERED', offerId: offer!.id, voucherId: offer!.voucher.id, deadline: offer!.deadline },
      }),
    ]);
    expect(await log(offer!.id)).toEqual([
      entry({
        action: 'ACCEPTED',
        ...parent,
        entityType: 'Offer',
        entityId: offer!.id,
        rulesVersion: 2,
        before: { offer: 'PENDING', application: 'OFFERED', voucher: 'RESERVED' },
        after: { offer: 'ACCEPTED', application: 'ACCEPTED', voucher: 'ACTIVE', enrollmentId: acceptOffer.enrollment.id, programId: chess, termsVersion: 1, personalDataConsent: true },
      }),
    ]);
    // The other offer is declined for the family (its rule requeues the application), and the
    // requeued application then leaves the queue: the child holds a voucher.
    const reason = 'The child was enrolled with another voucher.';
    expect(await log(other!.id)).toEqual([
      entry({
        action: 'DECLINED',
        ...parent,
        entityType: 'Offer',
        entityId: other!.id,
        rulesVersion: 2,
        reason,
        before: { offer: 'PENDING', application: 'OFFERED', voucher: 'RESERVED' },
        after: { offer: 'DECLINED', application: 'QUEUED', voucher: 'RELEASED', policy: 'REQUEUE' },
      }),
    ]);
    expect((await log(targeted)).slice(2)).toEqual([
      entry({ action: 'CANCELLED', ...parent, entityType: 'Application', entityId: targeted, reason, before: { status: 'QUEUED' }, after: { status: 'CANCELLED' } }),
    ]);
    // A voucher's own log starts with the operator's actions: its reservation and activation are the offer's.
    expect(await log(acceptOffer.enrollment.voucher.id)).toEqual([]);
  });

  it('a declined offer requeues, an expired one cancels (by the scheduler), a restore and a withdrawal', async () => {
    const family = await seed.parent().withChild(1, '2016-06-06');
    const application = await apply(family, 'UNIVERSAL');
    const [first] = await issue('UNIVERSAL', 1);
    await api.data(DECLINE, { o: first!.id }, { token: family.token });
    const [second] = await issue('UNIVERSAL', 1);
    expect([first!.application.id, second!.application.id]).toEqual([application, application]);
    api.clock.advance(49 * 3_600_000);
    try {
      expect((await api.runJobs(city)).expired).toBe(1);
      await api.data(RESTORE, { a: application }, { token: family.token });
      await api.data(WITHDRAW, { a: application }, { token: family.token });
    } finally {
      api.clock.reset();
    }
    const parent = { actorRole: 'PARENT', actorId: family.iin };
    expect(await log(first!.id)).toEqual([
      entry({
        action: 'DECLINED',
        ...parent,
        entityType: 'Offer',
        entityId: first!.id,
        rulesVersion: 2,
        before: { offer: 'PENDING', application: 'OFFERED', voucher: 'RESERVED' },
        after: { offer: 'DECLINED', application: 'QUEUED', voucher: 'RELEASED', policy: 'REQUEUE' },
      }),
    ]);
    expect(await log(second!.id)).toEqual([
      entry({
        action: 'EXPIRED',
        actorRole: 'SYSTEM',
        actorId: 'scheduler',
        entityType: 'Offer',
        entityId: second!.id,
        rulesVersion: 2,
        before: { offer: 'PENDING', application: 'OFFERED', voucher: 'RESERVED' },
        after: { offer: 'EXPIRED', application: 'CANCELLED', voucher: 'RELEASED', policy: 'CANCEL' },
      }),
    ]);
    expect((await log(application)).map((e: any) => e.action)).toEqual(['APPLIED', 'OFFERED', 'OFFERED', 'RESTORED', 'WITHDRAWN']);
    expect((await log(application)).slice(3)).toEqual([
      entry({ action: 'RESTORED', ...parent, entityType: 'Application', entityId: application, rulesVersion: 2, before: { status: 'CANCELLED' }, after: { status: 'QUEUED', restoreCount: 1 } }),
      entry({ action: 'WITHDRAWN', ...parent, entityType: 'Application', entityId: application, before: { status: 'QUEUED' }, after: { status: 'WITHDRAWN' } }),
    ]);
  });

  it('an operator’s suspend, reinstate and revoke, and the family’s switch, one entry each on the voucher', async () => {
    const family = await seed.parent().withChild(1, '2016-07-07');
    await apply(family, 'UNIVERSAL');
    const [offer] = await issue('UNIVERSAL', 1);
    const { acceptOffer } = await api.data(ACCEPT, { o: offer!.id, p: chess }, { token: family.token });
    const voucher = acceptOffer.enrollment.voucher.id as string;
    await api.data(voucherAction('suspendVoucher'), { v: voucher, r: 'Documents under review' }, { token: operator });
    await api.data(voucherAction('reinstateVoucher'), { v: voucher, r: 'Documents confirmed' }, { token: operator });
    const { switchProgram } = await api.data(SWITCH, { e: acceptOffer.enrollment.id, p: football }, { token: family.token });
    await api.data(voucherAction('revokeVoucher'), { v: voucher, r: 'Moved to another region' }, { token: operator });
    const ofVoucher = { entityType: 'Voucher', entityId: voucher };
    expect(await log(voucher)).toEqual([
      entry({ action: 'SUSPENDED', actorRole: 'OPERATOR', actorId: city, ...ofVoucher, reason: 'Documents under review', before: { status: 'ACTIVE' }, after: { status: 'SUSPENDED' } }),
      entry({ action: 'REINSTATED', actorRole: 'OPERATOR', actorId: city, ...ofVoucher, reason: 'Documents confirmed', before: { status: 'SUSPENDED' }, after: { status: 'ACTIVE' } }),
      entry({
        action: 'SWITCHED',
        actorRole: 'PARENT',
        actorId: family.iin,
        ...ofVoucher,
        before: { enrollmentId: acceptOffer.enrollment.id, programId: chess },
        after: { enrollmentId: switchProgram.enrollment.id, programId: football, termsVersion: 1, personalDataConsent: true },
      }),
      entry({ action: 'REVOKED', actorRole: 'OPERATOR', actorId: city, ...ofVoucher, reason: 'Moved to another region', before: { status: 'ACTIVE' }, after: { status: 'REVOKED' } }),
    ]);
  });
});
