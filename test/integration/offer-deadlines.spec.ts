// Issue 11, findings 1, 7 and 8: a deadline is a deadline for every answer, job or no job; an
// operator's voucher actions move only the statuses they mean; a parent's read of their
// applications never sees half an offer being made. A test that moves time has a server of its own
// whose clock it moves (a deadline passes without waiting for it and without back-dating rows); the
// others share this file's server on the real clock. Every test queues in a city of its own
// (`seed.city()`), where its family heads the queue, so the tests run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { type FamilyHandle, Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;

beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

/**
 * A server of the test's own whose clock the test moves (`clock.at = …`; null is the real time),
 * with a city of the test's own and a private studio's club there. `close()` when done.
 */
async function clockedWorld() {
  const clock: { at: Date | null } = { at: null };
  const own = await TestApi.start({ clock: () => clock.at ?? new Date() });
  const ownSeed = new Seed(own);
  const city = await ownSeed.city();
  const studio = await ownSeed.provider({ city, kind: 'PRIVATE' }).approved();
  const program = (await ownSeed.program(studio, { minAge: 6, maxAge: 12, seats: 10 })).id as string;
  return { api: own, seed: ownSeed, clock, city, program, close: () => own.close() };
}

const APPLICATION = `query($id: ID!) { application(id: $id) { id status position offer { id status deadline } voucher { id status } } }`;
const ACCEPT = `mutation($o: ID!, $p: ID!) { acceptOffer(input: { offerId: $o, programId: $p, acceptTerms: true, personalDataConsent: true }) { enrollment { id voucher { status } } } }`;
const DECLINE = `mutation($o: ID!) { declineOffer(input: { offerId: $o }) { offer { id status } } }`;
const errorOf = (res: { body: { errors?: { message: string; extensions?: Record<string, any> }[] } }) => res.body.errors?.[0];

/** Applies for one child of the family in the test's city, where it heads the queue, and offers it its voucher. */
async function offered(on: { api: TestApi; seed: Seed }, city: string, family: FamilyHandle, child = 0): Promise<{ applicationId: string; offer: { id: string; deadline: string }; voucherId: string }> {
  const applicationId = await on.seed.apply(family, child, 'UNIVERSAL', city);
  await on.seed.offerTo(city, 'UNIVERSAL', applicationId);
  const { application } = await on.api.data(APPLICATION, { id: applicationId }, { token: family.token });
  return { applicationId, offer: application.offer, voucherId: application.voucher.id };
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

describe.concurrent('an offer past its deadline, before the expiry job has run', () => {
  it('refuses a decline as expired and applies the expiry policy, not the decline policy', async ({ expect }) => {
    const w = await clockedWorld();
    try {
      const family = await w.seed.parent().withChild(1, '2016-03-03', 'ORPHAN');
      const { offer } = await offered(w, w.city, family);
      const deadline = new Date(offer.deadline);

      w.clock.at = new Date(deadline.getTime() + 1000);
      try {
        const res = await w.api.request(DECLINE, { o: offer.id }, { token: family.token });
        expect(errorOf(res)).toMatchObject({
          message: `This offer has expired: its deadline was ${deadline.toISOString()}, and the city's rules for an expired offer now apply.`,
          path: ['declineOffer'],
          extensions: { code: 'CONFLICT', from: 'PENDING', to: 'DECLINED', status: 'EXPIRED' },
        });
      } finally {
        w.clock.at = null;
      }
      // Expired as the job would have expired it (the default rules: an expired offer cancels the application).
      expect(await rowsOf(offer.id)).toEqual({ offer: 'EXPIRED', application: 'CANCELLED', voucher: 'RELEASED', decidedAt: new Date(deadline.getTime() + 1000).toISOString(), enrollments: 0 });
      const audit = await api.sql(`select action, actor_role, reason from audit_event where entity_id = ? order by occurred_at`, [offer.id]);
      expect(audit).toEqual([{ action: 'EXPIRED', actor_role: 'SYSTEM', reason: 'Answered after its deadline.' }]);
      const sms = await api.sql(`select kind from notification where idempotency_key like ? order by kind`, [`offer:${offer.id}:%`]);
      expect(sms.map((r) => r.kind)).toEqual(['OFFER_EXPIRED', 'OFFER_MADE']);
      // The job finds nothing left to do, and a second answer sees the offer as it is.
      expect(await w.api.runJobs(w.city)).toMatchObject({ expired: 0, failures: [] });
      expect(errorOf(await w.api.request(DECLINE, { o: offer.id }, { token: family.token }))?.message).toBe('This offer is EXPIRED; only a pending offer can be declined.');
    } finally {
      await w.close();
    }
  });

  it('refuses an accept as expired the same way: nothing enrolled, no seat taken, the voucher back in the quota', async ({ expect }) => {
    const w = await clockedWorld();
    try {
      const family = await w.seed.parent().withChild(1, '2016-04-04', 'ORPHAN');
      const { offer } = await offered(w, w.city, family);
      const deadline = new Date(offer.deadline);
      const seatsBefore = (await api.sql(`select seats_taken from program where id = ?`, [w.program]))[0]!.seats_taken;
      expect(seatsBefore).toBe(0);

      w.clock.at = deadline; // the deadline itself is too late, for the job and every action alike
      try {
        const res = await w.api.request(ACCEPT, { o: offer.id, p: w.program }, { token: family.token });
        expect(errorOf(res)?.extensions).toEqual({ code: 'CONFLICT', from: 'PENDING', to: 'ACCEPTED', status: 'EXPIRED' });
      } finally {
        w.clock.at = null;
      }
      expect(await rowsOf(offer.id)).toEqual({ offer: 'EXPIRED', application: 'CANCELLED', voucher: 'RELEASED', decidedAt: deadline.toISOString(), enrollments: 0 });
      expect((await api.sql(`select seats_taken from program where id = ?`, [w.program]))[0]!.seats_taken).toBe(seatsBefore);
      // The voucher went back to the quota: the city's one unit is free again.
      const [quota] = await api.sql(`select q.used, q.count from quota q join city c on c.id = q.city_id where c.code = ? and q.voucher_type = 'UNIVERSAL'`, [w.city]);
      expect(quota).toEqual({ used: 0, count: 1 });
    } finally {
      await w.close();
    }
  });

  it('still accepts an offer a moment before its deadline', async ({ expect }) => {
    const w = await clockedWorld();
    try {
      const family = await w.seed.parent().withChild(1, '2016-05-05', 'ORPHAN');
      const { offer } = await offered(w, w.city, family);
      w.clock.at = new Date(new Date(offer.deadline).getTime() - 1);
      try {
        const { acceptOffer } = await w.api.data(ACCEPT, { o: offer.id, p: w.program }, { token: family.token });
        expect(acceptOffer.enrollment.voucher.status).toBe('ACTIVE');
      } finally {
        w.clock.at = null;
      }
      expect(await rowsOf(offer.id)).toMatchObject({ offer: 'ACCEPTED', application: 'ACCEPTED', voucher: 'ACTIVE', enrollments: 1 });
    } finally {
      await w.close();
    }
  });
});

describe.concurrent("an offer's deadline", () => {
  it("runs from the issuer's clock, so a test (or a replay) moving time moves the deadline with it", async ({ expect }) => {
    const w = await clockedWorld();
    try {
      const { cityRules } = await w.api.data(`query($c: String!) { cityRules(city: $c) { offerDeadlineHours } }`, { c: w.city });
      const family = await w.seed.parent().withChild(1, '2016-04-04', 'ORPHAN');
      // Two days ahead of the real time: a deadline read from the system clock would be two days early.
      const issuedAt = new Date(Date.now() + 2 * 86_400_000);
      w.clock.at = issuedAt;
      try {
        const { offer } = await offered(w, w.city, family);
        expect(offer.deadline).toBe(new Date(issuedAt.getTime() + cityRules.offerDeadlineHours * 3_600_000).toISOString());
      } finally {
        w.clock.at = null;
      }
    } finally {
      await w.close();
    }
  });
});

describe.concurrent("an operator's voucher actions", () => {
  it('leave a RESERVED voucher to its offer: reinstate, suspend and revoke are CONFLICT and write nothing', async ({ expect }) => {
    const city = await seed.city();
    const studio = await seed.provider({ city, kind: 'PRIVATE' }).approved();
    const program = (await seed.program(studio, { minAge: 6, maxAge: 12, seats: 10 })).id;
    const family = await seed.parent().withChild(1, '2016-06-06', 'ORPHAN');
    const { offer, voucherId } = await offered({ api, seed }, city, family);
    const operator = await seed.operator(city);
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

describe.concurrent('a family reading its applications while offers are being made', () => {
  it('never sees a waiting application without its position, by myApplications or through myChildren', async ({ expect }) => {
    const city = await seed.city();
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
      for (let child = 0; child < 4; child++) await offered({ api, seed }, city, family, child);
    } finally {
      offering = false;
      await Promise.all(readers);
    }
    for (const query of Object.keys(reads) as (keyof typeof reads)[]) {
      const halfSeen = seen[query].filter((a) => (a.status === 'QUEUED') !== (typeof a.position === 'number'));
      expect({ query, halfSeen }).toEqual({ query, halfSeen: [] });
      expect(seen[query].filter((a) => a.status === 'QUEUED').length).toBeGreaterThan(0);
      expect(seen[query].filter((a) => a.status === 'OFFERED').length).toBeGreaterThan(0);
      // Each child waited alone in the city's queue before its offer: always first.
      expect(seen[query].filter((a) => a.status === 'QUEUED' && a.position !== 1)).toEqual([]);
    }
  });
});

describe.concurrent('a malformed id', () => {
  it('is BAD_USER_INPUT for disputeAttendance, as for confirmAttendance, never INTERNAL_SERVER_ERROR', async ({ expect }) => {
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
