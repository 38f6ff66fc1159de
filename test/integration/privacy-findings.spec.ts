// Issue 10 §1, finding by finding: each path that leaked a child's data, asked again as the role
// that found it. A hidden field is null with FORBIDDEN at its path; records outside the caller's
// scope are absent from lists; a root lookup of someone else's record is null with NOT_FOUND.
// The tests only read the world (a database of its own, test/support/privacy-world.ts): they run at once.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildPrivacyWorld, type PrivacyWorld } from '../support/privacy-world.js';

let world: PrivacyWorld;
beforeAll(async () => {
  world = await buildPrivacyWorld();
}, 120_000);
afterAll(() => world?.close());

type Res = { body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] } };
const ask = (query: string, token: string, variables: Record<string, unknown> = {}) => world.api.request(query, variables, { token }) as Promise<Res>;
/** Every error as "code at path", sorted. */
const errorsOf = (res: Res) => (res.body.errors ?? []).map((e) => `${e.extensions?.code} at ${(e.path ?? []).join('.')}`).sort();

describe.concurrent('an AGENCY', () => {
  it('reads vouchers without any holder’s IIN, name or birth date (vouchers → child)', async ({ expect }) => {
    const res = await ask(`{ vouchers { edges { node { id child { id iin fullName birthDate age sex } } } } }`, world.tokens.agency);
    expect(res.body.data.vouchers.edges).toEqual([
      { node: { id: world.voucherId, child: { id: world.child.id, iin: null, fullName: null, birthDate: null, age: world.child.age, sex: 'FEMALE' } } },
    ]);
    expect(errorsOf(res)).toEqual(['birthDate', 'fullName', 'iin'].map((f) => `FORBIDDEN at vouchers.edges.0.node.child.${f}`));
    expect(JSON.stringify(res.body)).not.toContain(world.child.iin);
  });

  it('reads the audit log without the IIN of a parent who acted', async ({ expect }) => {
    const res = await ask(`query($id: ID) { auditLog(filter: { entityId: $id }) { edges { node { action actorRole actorId } } } }`, world.tokens.agency, { id: world.applications.home });
    expect(res.body.data.auditLog.edges.map((e: any) => e.node)).toEqual([
      { action: 'APPLIED', actorRole: 'PARENT', actorId: null },
      { action: 'OFFERED', actorRole: 'OPERATOR', actorId: 'ASTANA' },
    ]);
    expect(errorsOf(res)).toEqual(['FORBIDDEN at auditLog.edges.0.node.actorId']);
    expect(JSON.stringify(res.body)).not.toContain(world.parent.iin);
  });
});

describe.concurrent('a PROVIDER', () => {
  it('sees, through its sessions, the enrolled child’s name and age only (attendances → child)', async ({ expect }) => {
    const res = await ask(`{ attendances { edges { node { id child { fullName age iin birthDate priorityCategory } } } } }`, world.tokens.providerOne);
    expect(res.body.data.attendances.edges).toEqual([
      { node: { id: world.attendances.one, child: { fullName: world.child.fullName, age: world.child.age, iin: null, birthDate: null, priorityCategory: null } } },
    ]);
    expect(errorsOf(res)).toEqual(['birthDate', 'iin', 'priorityCategory'].map((f) => `FORBIDDEN at attendances.edges.0.node.child.${f}`));
  });

  it('does not see the child’s sessions or enrollments at another provider', async ({ expect }) => {
    const res = await ask(
      `{ attendances { edges { node { child { attendances { id } } enrollment { id voucher { enrollments { id } enrollment { id } } } } } } }`,
      world.tokens.providerOne,
    );
    const node = res.body.data.attendances.edges[0].node;
    expect(node.child.attendances).toEqual([{ id: world.attendances.one }]);
    expect(node.enrollment).toEqual({ id: world.enrollments.one, voucher: { enrollments: [{ id: world.enrollments.one }], enrollment: null } });
    expect(errorsOf(res)).toEqual(['FORBIDDEN at attendances.edges.0.node.enrollment.voucher.enrollment']);
    expect(JSON.stringify(res.body)).not.toContain(world.enrollments.two);
    expect(JSON.stringify(res.body)).not.toContain(world.attendances.two);
  });

  it('does not see where the child was before it came (enrollment → previous)', async ({ expect }) => {
    const res = await ask(`{ attendances { edges { node { enrollment { id previous { id program { id } } } } } } }`, world.tokens.providerTwo);
    expect(res.body.data.attendances.edges).toEqual([{ node: { enrollment: { id: world.enrollments.two, previous: null } } }]);
    expect(errorsOf(res)).toEqual(['FORBIDDEN at attendances.edges.0.node.enrollment.previous']);
  });

  it('finds nothing of a child it never had', async ({ expect }) => {
    const res = await ask(`{ attendances { totalCount edges { node { id } } } payments { totalCount } }`, world.tokens.providerThree);
    expect(res.body.data).toEqual({ attendances: { totalCount: 0, edges: [] }, payments: { totalCount: 0 } });
  });
});

describe.concurrent('an OPERATOR', () => {
  it('does not read a child’s IIN, even in its own city (application(id) → child)', async ({ expect }) => {
    const res = await ask(`query($id: ID!) { application(id: $id) { id child { iin fullName birthDate } } }`, world.tokens.homeOperator, { id: world.applications.home });
    expect(res.body.data.application).toEqual({ id: world.applications.home, child: { iin: null, fullName: world.child.fullName, birthDate: world.child.birthDate } });
    expect(errorsOf(res)).toEqual(['FORBIDDEN at application.child.iin']);
  });

  it('does not see the child’s applications in another city (application → child → applications)', async ({ expect }) => {
    const res = await ask(`query($id: ID!) { application(id: $id) { child { applications { id city { code } } } } }`, world.tokens.homeOperator, { id: world.applications.home });
    expect(res.body.data.application.child.applications).toEqual([{ id: world.applications.home, city: { code: 'ASTANA' } }]);
    expect(JSON.stringify(res.body)).not.toContain(world.applications.away);
    // …and the other city's operator sees only that one, and nothing of the voucher held here.
    const away = await ask(`query($id: ID!) { application(id: $id) { child { applications { id } voucher { id } attendances { id } } } }`, world.tokens.awayOperator, {
      id: world.applications.away,
    });
    expect(away.body.data.application.child).toEqual({ applications: [{ id: world.applications.away }], voucher: null, attendances: [] });
    expect(errorsOf(away)).toEqual(['FORBIDDEN at application.child.voucher']);
  });
});

describe.concurrent('single-record lookups', () => {
  it('answer someone else’s record exactly like a missing one: null with NOT_FOUND', async ({ expect }) => {
    const missing = '01900000-0000-7000-8000-000000000000';
    const cases: [string, string, string][] = [
      ['child', world.child.id, world.tokens.otherParent],
      ['application', world.applications.away, world.tokens.homeOperator],
      ['application', world.applications.home, world.tokens.otherParent],
      ['offer', world.offerId, world.tokens.awayOperator],
      ['payment', world.paymentId, world.tokens.providerTwo],
    ];
    for (const [field, id, token] of cases) {
      for (const asked of [id, missing]) {
        const res = await ask(`query($id: ID!) { ${field}(id: $id) { id } }`, token, { id: asked });
        expect({ field, data: res.body.data, errors: errorsOf(res) }).toEqual({ field, data: { [field]: null }, errors: [`NOT_FOUND at ${field}`] });
      }
    }
  });

  it('of the family’s own records show everything', async ({ expect }) => {
    const res = await ask(`query($id: ID!) { child(id: $id) { iin fullName birthDate age priorityCategory applications { id } } }`, world.tokens.family, { id: world.child.id });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.child).toMatchObject({ iin: world.child.iin, fullName: world.child.fullName, birthDate: world.child.birthDate, priorityCategory: 'ORPHAN' });
    expect(res.body.data.child.applications.map((a: any) => a.id).sort()).toEqual([world.applications.home, world.applications.away].sort());
  });
});

describe.concurrent('the payment statement (CSV)', () => {
  const download = async (token: string) => {
    const res = await world.api.post('', { token }, 'GET', `/exports/payments/${world.paymentId}.csv`);
    return { status: res.status, text: (res.body as { raw?: string }).raw ?? '' };
  };

  it('names the child for the provider paid and for the city, but not for an agency', async ({ expect }) => {
    const forProvider = await download(world.tokens.providerOne);
    expect(forProvider.status).toBe(200);
    expect(forProvider.text).toContain(`,${world.child.fullName},`);
    expect((await download(world.tokens.homeOperator)).text).toContain(`,${world.child.fullName},`);
    const forAgency = await download(world.tokens.agency);
    expect(forAgency.status).toBe(200);
    const line = forAgency.text.split('\r\n')[2]!.split(',');
    expect(line.slice(1, 3)).toEqual([world.enrollments.one, '']);
    expect(forAgency.text).not.toContain(world.child.fullName);
    expect(forAgency.text).not.toContain(world.child.iin);
  });

  it('is refused to a provider that was not paid by it', async ({ expect }) => {
    expect((await download(world.tokens.providerTwo)).status).toBe(404);
  });
});
