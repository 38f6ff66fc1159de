// Issue 11, findings 1, 7 and 8: a deadline is a deadline for every answer, job or no job; an
// operator's voucher actions move only the statuses they mean; a parent's read of their
// applications never sees half an offer being made. This file's server has a clock the tests move
// (a deadline passes without waiting for it and without back-dating rows). Applications here are
// ASTANA UNIVERSAL, each a priority child offered only once it heads the queue, so no other file's
// application is offered by this one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, type ProviderHandle, Seed } from '../support/seed.js';

const CITY = 'ASTANA';

let api: TestApi;
let seed: Seed;
let studio: ProviderHandle;
let program: string;
/** The server's time: the real one unless a test sets it. */
let clockAt: Date | null = null;

beforeAll(async () => {
  api = await TestApi.start({ clock: () => clockAt ?? new Date() });
  seed = new Seed(api);
  studio = await seed.provider({ city: CITY, kind: 'PRIVATE' }).approved();
  program = (await seed.program(studio, { minAge: 6, maxAge: 12, seats: 10 })).id;
});
afterAll(() => api?.close());

const APPLICATION = `query($id: ID!) { application(id: $id) { id status position offer { id status deadline } voucher { id status } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p }) { enrollment { id voucher { status } } } }`;
const DECLINE = `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id status } } }`;
const errorOf = (res: { body: { errors?: { message: string; extensions?: Record<string, any> }[] } }) => res.body.errors?.[0];

/** Applies for one child of the family and waits for its offer: issued by this file once the child heads the queue. */
async function offered(family: FamilyHandle, child = 0): Promise<{ applicationId: string; offer: { id: string; deadline: string }; voucherId: string }> {
  const applicationId = await seed.apply(family, child, 'UNIVERSAL', CITY);
  for (let tries = 0; tries < 500; tries++) {
    const { application } = await api.data(APPLICATION, { id: applicationId }, { token: family.token });
    if (application.offer) return { applicationId, offer: application.offer, voucherId: application.voucher.id };
    if (application.position === 1) {
      await seed.quotaRoom(CITY, 'UNIVERSAL', 1);
      // Another file may have taken the room meanwhile (QUOTA_EXHAUSTED): then try again.
      await api.request(`mutation { issueVouchers(input: { city: "${CITY}", voucherType: UNIVERSAL, count: 1 }) { offers { id } } }`, {}, { token: await seed.operator(CITY) });
    } else {
      await new Promise((resolve) => setTimeout(resolve, 20)); // a priority child of another file is being offered just ahead
    }
  }
  throw new Error(`application ${applicationId} was never offered`);
}

const rowsOf = async (offerId: string) => {
  const [row] = await api.sql(
    `select o.status as offer, a.status as application, v.status as voucher, o.decided_at as "decidedAt",
            (select count(*)::int from enrollment e where e.voucher_id = v.id) as enrollments
       from offer o join application a on a.id = o.application_id join voucher v on v.id = o.voucher_id where o.id = ?`,
    [offerId],
  );
  return { ...row, decidedAt: row!.decidedAt ? new Date(row!.decidedAt).toISOString() : null };
};

describe('an offer past its deadline, before the expiry job has run', () => {
  it('refuses a decline as expired and applies the expiry policy, not the decline policy', async () => {
    const family = await seed.parent().withChild(1, '2016-03-03', 'ORPHAN');
    const { offer } = await offered(family);
    const deadline = new Date(offer.deadline);

    clockAt = new Date(deadline.getTime() + 1000);
    try {
      const res = await api.request(DECLINE, { o: offer.id }, { token: family.token });
      expect(errorOf(res)).toMatchObject({
        message: `This offer has expired: its deadline was ${deadline.toISOString()}, and the city's rules for an expired offer now apply.`,
        path: ['declineOffer'],
        extensions: { code: 'CONFLICT', from: 'PENDING', to: 'DECLINED', status: 'EXPIRED' },
      });
    } finally {
      clockAt = null;
    }
    // Expired as the job would have expired it (ASTANA: an expired offer cancels the application).
    expect(await rowsOf(offer.id)).toEqual({ offer: 'EXPIRED', application: 'CANCELLED', voucher: 'RELEASED', decidedAt: new Date(deadline.getTime() + 1000).toISOString(), enrollments: 0 });
    const audit = await api.sql(`select action, actor_role, reason from audit_event where entity_id = ? order by occurred_at`, [offer.id]);
    expect(audit).toEqual([{ action: 'EXPIRED', actor_role: 'SYSTEM', reason: 'Answered after its deadline.' }]);
    const sms = await api.sql(`select kind from notification where idempotency_key like ? order by kind`, [`offer:${offer.id}:%`]);
    expect(sms.map((r) => r.kind)).toEqual(['OFFER_EXPIRED', 'OFFER_MADE']);
    // The job finds nothing left to do, and a second answer sees the offer as it is.
    expect((await api.runJobs(CITY)).failures).toEqual([]);
    expect(errorOf(await api.request(DECLINE, { o: offer.id }, { token: family.token }))?.message).toBe('This offer is EXPIRED; only a pending offer can be declined.');
  });

  it('refuses an accept as expired the same way: nothing enrolled, no seat taken, the voucher back in the quota', async () => {
    const family = await seed.parent().withChild(1, '2016-04-04', 'ORPHAN');
    const { offer } = await offered(family);
    const deadline = new Date(offer.deadline);
    const seatsBefore = (await api.sql(`select seats_taken from program where id = ?`, [program]))[0]!.seats_taken;

    clockAt = deadline; // the deadline itself is too late, for the job and every action alike
    try {
      const res = await api.request(ACCEPT, { o: offer.id, p: program }, { token: family.token });
      expect(errorOf(res)?.extensions).toEqual({ code: 'CONFLICT', from: 'PENDING', to: 'ACCEPTED', status: 'EXPIRED' });
    } finally {
      clockAt = null;
    }
    expect(await rowsOf(offer.id)).toEqual({ offer: 'EXPIRED', application: 'CANCELLED', voucher: 'RELEASED', decidedAt: deadline.toISOString(), enrollments: 0 });
    expect((await api.sql(`select seats_taken from program where id = ?`, [program]))[0]!.seats_taken).toBe(seatsBefore);
  });

  it('still accepts an offer a moment before its deadline', async () => {
    const family = await seed.parent().withChild(1, '2016-05-05', 'ORPHAN');
    const { offer } = await offered(family);
    clockAt = new Date(new Date(offer.deadline).getTime() - 1);
    try {
      const { acceptOffer } = await api.data(ACCEPT, { o: offer.id, p: program }, { token: family.token });
      expect(acceptOffer.enrollment.voucher.status).toBe('ACTIVE');
    } finally {
      clockAt = null;
    }
    expect(await rowsOf(offer.id)).toMatchObject({ offer: 'ACCEPTED', application: 'ACCEPTED', voucher: 'ACTIVE', enrollments: 1 });
  });
});

describe("an offer's deadline", () => {
  it("runs from the issuer's clock, so a test (or a replay) moving time moves the deadline with it", async () => {
    const { cityRules } = await api.data(`query($c: String!) { cityRules(city: $c) { offerDeadlineHours } }`, { c: CITY });
    const family = await seed.parent().withChild(1, '2016-04-04', 'ORPHAN');
    // Two days ahead of the real time: a deadline read from the system clock would be two days early.
    const issuedAt = new Date(Date.now() + 2 * 86_400_000);
    clockAt = issuedAt;
    try {
      const { offer } = await offered(family);
      expect(offer.deadline).toBe(new Date(issuedAt.getTime() + cityRules.offerDeadlineHours * 3_600_000).toISOString());
    } finally {
      clockAt = null;
    }
  });
});

describe("an operator's voucher actions", () => {
  it('leave a RESERVED voucher to its offer: reinstate, suspend and revoke are CONFLICT and write nothing', async () => {
    const family = await seed.parent().withChild(1, '2016-06-06', 'ORPHAN');
    const { offer, voucherId } = await offered(family);
    const operator = await seed.operator(CITY);
    const change = (name: string) =>
      api.request(`mutation($id: ID!) { ${name}(input: { voucherId: $id, reason: "Checking the family's documents" }) { voucher { status } } }`, { id: voucherId }, { token: operator });
    const written = async () => (await api.sql(`select count(*)::int as n from audit_event where entity_id in (?, ?)`, [voucherId, offer.id]))[0]!.n;
    const before = await written();

    for (const [name, to] of [
      ['reinstateVoucher', 'ACTIVE'],
      ['suspendVoucher', 'SUSPENDED'],
      ['revokeVoucher', 'REVOKED'],
    ] as const) {
      expect(errorOf(await change(name))).toMatchObject({
        message: 'This voucher is reserved by a pending offer: the family accepts or declines it, or it expires. Act on the voucher once it is accepted.',
        extensions: { code: 'CONFLICT', from: 'RESERVED', to },
      });
    }
    expect(await written()).toBe(before);
    expect(await rowsOf(offer.id)).toMatchObject({ offer: 'PENDING', application: 'OFFERED', voucher: 'RESERVED', enrollments: 0 });

    // The offer is still the family's to decide, and once accepted the operator's actions apply.
    const { acceptOffer } = await api.data(ACCEPT, { o: offer.id, p: program }, { token: family.token });
    expect(acceptOffer.enrollment.voucher.status).toBe('ACTIVE');
    expect(errorOf(await change('reinstateVoucher'))).toMatchObject({
      message: 'This voucher is ACTIVE; only a SUSPENDED voucher can be reinstated.',
      extensions: { code: 'CONFLICT', from: 'ACTIVE', to: 'ACTIVE' },
    });
    expect((await change('suspendVoucher')).body.data?.suspendVoucher.voucher.status).toBe('SUSPENDED');
    expect((await change('reinstateVoucher')).body.data?.reinstateVoucher.voucher.status).toBe('ACTIVE');
  });
});

describe('a family reading its applications while offers are being made', () => {
  it('never sees a waiting application without its position, by myApplications or through myChildren', async () => {
    const family = await seed.parent().withChild(4, undefined, 'ORPHAN');
    const reads = {
      // myApplications reads status and position in one statement; a child's applications read the
      // position after the status, decided by the status read.
      myApplications: async () => (await api.data(`{ myApplications { status position } }`, {}, { token: family.token })).myApplications,
      myChildren: async () => (await api.data(`{ myChildren { applications { status position } } }`, {}, { token: family.token })).myChildren.flatMap((c: any) => c.applications),
    };
    let offering = true;
    const seen: Record<keyof typeof reads, { status: string; position: number | null }[]> = { myApplications: [], myChildren: [] };
    const readers = (Object.keys(reads) as (keyof typeof reads)[]).flatMap((query) =>
      [1, 2, 3].map(async () => {
        while (offering) seen[query].push(...(await reads[query]()));
      }),
    );
    try {
      for (let child = 0; child < 4; child++) await offered(family, child);
    } finally {
      offering = false;
      await Promise.all(readers);
    }
    for (const query of Object.keys(reads) as (keyof typeof reads)[]) {
      const halfSeen = seen[query].filter((a) => (a.status === 'QUEUED') !== (typeof a.position === 'number'));
      expect({ query, halfSeen }).toEqual({ query, halfSeen: [] });
      expect(seen[query].filter((a) => a.status === 'QUEUED').length).toBeGreaterThan(0);
      expect(seen[query].filter((a) => a.status === 'OFFERED').length).toBeGreaterThan(0);
    }
  });
});

describe('a malformed id', () => {
  it('is BAD_USER_INPUT for disputeAttendance, as for confirmAttendance, never INTERNAL_SERVER_ERROR', async () => {
    const family = await seed.parent().withChild(1);
    const dispute = await api.request(`mutation { disputeAttendance(input: { attendanceId: "not-an-id", reason: "The child was ill that day" }) { attendance { id } } }`, {}, { token: family.token });
    const confirm = await api.request(`mutation { confirmAttendance(input: { attendanceIds: ["not-an-id"] }) { attendances { id } } }`, {}, { token: family.token });
    // The operation guard checks every ID argument before any resolver runs (it was a 500 before).
    expect([dispute.status, dispute.body.errors]).toEqual([400, [{ message: 'input.attendanceId is not an id returned by this API.', extensions: { code: 'BAD_USER_INPUT', field: 'input.attendanceId' } }]]);
    expect([confirm.status, confirm.body.errors]).toEqual([
      400,
      [{ message: 'input.attendanceIds[0] is not an id returned by this API.', extensions: { code: 'BAD_USER_INPUT', field: 'input.attendanceIds[0]' } }],
    ]);
  });
});

