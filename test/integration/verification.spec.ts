// Parent–child links and priority categories are claims that count only once verified (issue 10
// §3): by the population registry through its adapter, or by the city's operator on a document.
// Nothing in this file puts anyone in a queue (queue effects are in voucher-lifecycle.spec.ts);
// each test's cases are in a city of its own (seed.city()), so an operator's list holds exactly
// them, and the tests run at once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DemoRegistry, WebhookRegistry } from '../../src/identity/registry.js';
import type { Logger } from '../../src/logger.js';
import { TestApi } from '../support/api.js';
import { randomIin, randomParentIin } from '../support/ids.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
beforeAll(async () => {
  api = await TestApi.start();
  seed = new Seed(api);
});
afterAll(() => api?.close());

const code = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) => res.body.errors?.[0]?.extensions?.code;
const REGISTER = `mutation($input: RegisterChildInput!) { registerChild(input: $input) { child {
  id iin fullName birthDate sex priorityCategory createdAt
  link { status relationship declaredPriorityCategory priorityCategoryStatus decidedAt priorityCategoryDecidedAt }
  applications { id status } voucher { id } attendances { id } } } }`;
const CASES = `query($filter: VerificationCaseFilter, $first: Int, $after: String) { verificationCases(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id city reason linkStatus relationship childIin childFullName childBirthDate claimantIin claimantFullName claimantPhone
    declaredPriorityCategory priorityCategoryStatus otherClaims childHasOtherVerifiedLink registryAnswer registryAttempts } } } }`;
const DECIDE_LINK = `mutation($input: DecideClaimInput!) { decideChildLink(input: $input) { case { id linkStatus decidedBy evidenceReference decidedAt } } }`;
const DECIDE_CATEGORY = `mutation($input: DecideClaimInput!) { decidePriorityCategory(input: $input) { case { id priorityCategoryStatus priorityCategoryDecidedBy priorityCategoryEvidenceReference } } }`;
const MY_LINK = `query($id: ID!) { child(id: $id) { fullName priorityCategory link { status declaredPriorityCategory priorityCategoryStatus } } }`;
const parentToken = (iin = randomParentIin(), name = 'Айгүл Сәрсенова') => api.token({ role: 'PARENT', sub: iin, name, phone: '+77011234567' });

describe.concurrent('registerChild', () => {
  it('answers a claim on a child registered elsewhere exactly as one on a child nobody registered', async ({ expect }) => {
    const city = await seed.city();
    // A family registered this child, had its ORPHAN category verified, and is its verified representative.
    const birthDate = '2016-03-03';
    const owner = await seed.parent({ name: 'Гүлмира Серікова' }).withChild(1, birthDate, 'ORPHAN');
    const registered = owner.children[0]!.iin;
    const unknown = randomIin(birthDate, 'MALE');
    const prober = await parentToken();
    const input = (iin: string) => ({ input: { iin, fullName: 'Тест Бала', relationship: 'FATHER', city } });

    const a = await api.request(REGISTER, input(registered), { token: prober });
    const b = await api.request(REGISTER, input(unknown), { token: prober });
    expect([a.status, b.status]).toEqual([200, 200]);
    const blank = (res: typeof a) => JSON.parse(JSON.stringify(res.body).replaceAll(res.body.data!.registerChild.child.id, '<id>')
      .replaceAll(res.body.data!.registerChild.child.iin, '<iin>').replace(/"createdAt":"[^"]+"/, '"createdAt":"<t>"'));
    expect(blank(a)).toEqual(blank(b));
    expect(b.body.data!.registerChild.child).toMatchObject({
      fullName: 'Тест Бала', birthDate, sex: 'MALE', priorityCategory: 'NONE',
      link: { status: 'CLAIMED', relationship: 'FATHER', declaredPriorityCategory: null, priorityCategoryStatus: null, decidedAt: null },
      applications: [], voucher: null, attendances: [],
    });
    // Nothing of the owner's record shows: not its name, not its verified category, not when it was made.
    expect(JSON.stringify(a.body)).not.toMatch(/Серікова|Бала 1|ORPHAN/);
    for (const res of [a, b]) expect(res.body.data!.registerChild.child.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    // Errors are alike too: a bad birth date is refused the same way for both.
    const wrongDate = (iin: string) => api.request(REGISTER, { input: { ...input(iin).input, birthDate: '2016-03-04' } }, { token: prober });
    const [ea, eb] = [await wrongDate(registered), await wrongDate(unknown)];
    expect(JSON.stringify(ea.body)).toBe(JSON.stringify(eb.body));
  });

  it('never locks the real parent out: a second claim on a linked child becomes the city’s case, and the operator’s decision swaps the links', async ({ expect }) => {
    const city = await seed.city();
    const hijacker = await seed.parent({ name: 'Бөтен Адам' }).withChild(1);
    const child = hijacker.children[0]!;
    const realIin = randomParentIin();
    const real = await parentToken(realIin, 'Сәуле Нұрланова');
    // Before, this was CONFLICT ("already registered"): now it is a claim like any other.
    const claim = await api.data(REGISTER, { input: { iin: child.iin, fullName: 'Дана Нұрланова', relationship: 'MOTHER', city } }, { token: real });
    expect(claim.registerChild.child).toMatchObject({ id: child.id, fullName: 'Дана Нұрланова', link: { status: 'CLAIMED' } });
    // The demo registry confirmed it, but the child already has a verified representative: an operator decides.
    const operator = await seed.operator(city);
    const { verificationCases } = await api.data(CASES, { filter: { childIin: child.iin } }, { token: operator });
    expect(verificationCases.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({
        city, reason: 'CONTESTED', linkStatus: 'CLAIMED', relationship: 'MOTHER', childIin: child.iin, childFullName: 'Дана Нұрланова',
        claimantIin: realIin, claimantFullName: 'Сәуле Нұрланова', claimantPhone: '+77011234567', otherClaims: 1, childHasOtherVerifiedLink: true, registryAnswer: 'CONFIRMED',
      }),
    ]);
    const caseId = verificationCases.edges[0].node.id;

    // A parent cannot decide; an operator of another city does not even see the case.
    const decide = (token: string, decision = 'VERIFY') => api.request(DECIDE_LINK, { input: { caseId, decision, evidenceReference: 'Birth certificate I-АА 0412345' } }, { token });
    expect(code(await decide(real))).toBe('FORBIDDEN');
    expect(code(await decide(await seed.operator('ASTANA')))).toBe('NOT_FOUND');
    expect(code(await api.request(DECIDE_LINK, { input: { caseId, decision: 'VERIFY', evidenceReference: ' ' } }, { token: operator }))).toBe('BAD_USER_INPUT');

    const decided = await decide(operator);
    expect(decided.body.data!.decideChildLink.case).toMatchObject({ id: caseId, linkStatus: 'VERIFIED', decidedBy: `OPERATOR:${city}`, evidenceReference: 'Birth certificate I-АА 0412345' });
    expect((await api.data(MY_LINK, { id: child.id }, { token: real })).child).toMatchObject({ fullName: 'Дана Нұрланова', link: { status: 'VERIFIED' } });
    // The hijacker's link was rejected with the same evidence; what it sees is its own (rejected) claim only.
    expect((await api.data(MY_LINK, { id: child.id }, { token: hijacker.token })).child).toMatchObject({ fullName: 'Бала 1', link: { status: 'REJECTED' } });
    expect(code(await decide(operator))).toBe('CONFLICT');

    // Both decisions are in the audit log, with the actor and the evidence (an ADMIN reads the
    // parent's IIN as actor; the city's operator would see it hidden, as the access policy says).
    const audit = await api.data(
      `query($id: ID!) { auditLog(filter: { entityId: $id }) { edges { node { action actorRole actorId entityType cityCode before after } } } }`,
      { id: caseId },
      { token: await seed.admin() },
    );
    expect(audit.auditLog.edges.map((e: any) => e.node)).toEqual([
      { action: 'LINK_CLAIMED', actorRole: 'PARENT', actorId: realIin, entityType: 'ChildLink', cityCode: city, before: null, after: expect.objectContaining({ status: 'CLAIMED' }) },
      {
        action: 'LINK_VERIFIED', actorRole: 'OPERATOR', actorId: city, entityType: 'ChildLink', cityCode: city,
        before: { status: 'CLAIMED' }, after: expect.objectContaining({ status: 'VERIFIED', evidenceReference: 'Birth certificate I-АА 0412345' }),
      },
    ]);
    const rejected = await api.sql<{ action: string; actor_role: string; after: any; reason: string }>(
      `select action, actor_role, after, reason from audit_event where entity_type = 'ChildLink' and action = 'LINK_REJECTED' and after->>'childId' = ?`,
      [child.id],
    );
    expect(rejected).toEqual([{ action: 'LINK_REJECTED', actor_role: 'OPERATOR', after: expect.objectContaining({ status: 'REJECTED', evidenceReference: 'Birth certificate I-АА 0412345' }), reason: `Replaced by the verified claim ${caseId}.` }]);
  });
});

describe.concurrent('verificationCases', () => {
  it('are paginated, scoped to the operator’s city, and list declared categories the demo registry never verifies', async ({ expect }) => {
    const city = await seed.city();
    const token = await parentToken();
    const iins = [randomIin('2015-07-01'), randomIin('2015-07-02'), randomIin('2015-07-03')];
    for (const iin of iins) {
      await api.data(REGISTER, { input: { iin, fullName: 'Бала', relationship: 'MOTHER', priorityCategory: 'LARGE_FAMILY', city } }, { token });
    }
    const operator = await seed.operator(city);
    const mine = async (page: any) => page.verificationCases.edges.map((e: any) => e.node).filter((n: any) => iins.includes(n.childIin));
    // The link was confirmed (demo); the category waits for a document.
    const all = await api.data(CASES, { first: 100 }, { token: operator });
    // The city's list holds exactly these three, in the order they were claimed.
    expect(all.verificationCases.totalCount).toBe(3);
    expect(all.verificationCases.edges.map((e: any) => e.node)).toEqual(iins.map((iin) => expect.objectContaining({ childIin: iin, reason: 'PRIORITY_CATEGORY', linkStatus: 'VERIFIED', declaredPriorityCategory: 'LARGE_FAMILY', priorityCategoryStatus: 'CLAIMED' })));
    expect(all.verificationCases.edges.every((e: any) => e.node.city === city)).toBe(true);

    const first = await api.data(CASES, { first: 2 }, { token: operator });
    expect(first.verificationCases.edges).toHaveLength(2);
    expect(first.verificationCases.pageInfo.hasNextPage).toBe(true);
    const rest = await api.data(CASES, { first: 100, after: first.verificationCases.pageInfo.endCursor }, { token: operator });
    expect(rest.verificationCases.edges).toHaveLength(1);
    expect(rest.verificationCases.pageInfo.hasNextPage).toBe(false);
    expect([...first.verificationCases.edges, ...rest.verificationCases.edges].map((e: any) => e.node.id)).toEqual(all.verificationCases.edges.map((e: any) => e.node.id));

    // Another city's operator sees none of them and may not ask for them; parents and agencies get nothing.
    const astana = await seed.operator('ASTANA');
    expect(await mine(await api.data(CASES, { first: 100 }, { token: astana }))).toEqual([]);
    expect(code(await api.request(CASES, { filter: { city } }, { token: astana }))).toBe('FORBIDDEN');
    expect(code(await api.request(CASES, {}, { token }))).toBe('FORBIDDEN');
    expect(code(await api.request(CASES, {}, { token: await seed.agency() }))).toBe('FORBIDDEN');
    expect(code(await api.request(CASES, {}))).toBe('UNAUTHENTICATED');
    expect(code(await api.request(CASES, { after: 'not-a-cursor' }, { token: operator }))).toBe('BAD_USER_INPUT');
    expect(code(await api.request(CASES, { filter: { childIin: '12' } }, { token: operator }))).toBe('BAD_USER_INPUT');

    // Deciding a category: verified with its evidence, audited, and the family sees it count.
    const [one, two] = (await mine(all)) as any[];
    const verified = await api.data(DECIDE_CATEGORY, { input: { caseId: one.id, decision: 'VERIFY', evidenceReference: 'Large-family certificate 77-1024' } }, { token: operator });
    expect(verified.decidePriorityCategory.case).toEqual({ id: one.id, priorityCategoryStatus: 'VERIFIED', priorityCategoryDecidedBy: `OPERATOR:${city}`, priorityCategoryEvidenceReference: 'Large-family certificate 77-1024' });
    await api.data(DECIDE_CATEGORY, { input: { caseId: two.id, decision: 'REJECT', evidenceReference: 'No certificate presented', note: 'Asked twice by phone' } }, { token: operator });
    const children = (await api.data(`{ myChildren { iin priorityCategory link { priorityCategoryStatus } } }`, {}, { token })).myChildren;
    expect(children).toEqual([
      { iin: iins[0], priorityCategory: 'LARGE_FAMILY', link: { priorityCategoryStatus: 'VERIFIED' } },
      { iin: iins[1], priorityCategory: 'NONE', link: { priorityCategoryStatus: 'REJECTED' } },
      { iin: iins[2], priorityCategory: 'NONE', link: { priorityCategoryStatus: 'CLAIMED' } },
    ]);
    const left = await api.data(CASES, { first: 100 }, { token: operator });
    expect(left.verificationCases.totalCount).toBe(1);
    expect(left.verificationCases.edges.map((e: any) => e.node)).toEqual([expect.objectContaining({ childIin: iins[2] })]);
    const audit = await api.data(`query($id: ID!) { auditLog(filter: { entityId: $id, action: "PRIORITY_CATEGORY_REJECTED" }) { edges { node { actorRole actorId reason after } } } }`, { id: two.id }, { token: operator });
    expect(audit.auditLog.edges.map((e: any) => e.node)).toEqual([
      { actorRole: 'OPERATOR', actorId: city, reason: 'Asked twice by phone', after: expect.objectContaining({ status: 'REJECTED', category: 'LARGE_FAMILY', evidenceReference: 'No certificate presented' }) },
    ]);
  });
});

/** A stand-in for the population registry's gateway: a real HTTP server on loopback, answering per child IIN. */
async function registryGateway() {
  const answers = new Map<string, { status?: number; body: unknown }>();
  const requests: { authorization?: string; body: any }[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text);
      requests.push({ authorization: req.headers.authorization, body });
      const answer = answers.get(body.childIin) ?? { body: { link: 'UNKNOWN' } };
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/check`);
  return { url, answers, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.concurrent('the webhook registry adapter, against a gateway on loopback', () => {
  let gateway: Awaited<ReturnType<typeof registryGateway>>;
  let viaRegistry: TestApi;
  beforeAll(async () => {
    gateway = await registryGateway();
    viaRegistry = await TestApi.start({ registry: new WebhookRegistry({ url: gateway.url, token: 'registry-secret', timeoutMs: 5000 }) });
  });
  afterAll(async () => {
    await viaRegistry?.close();
    await gateway?.close();
  });

  const claimOf = async (childIin: string) =>
    (await viaRegistry.sql<{ id: string }>(`select g.id from guardianship g join child c on c.id = g.child_id where c.iin = ?`, [childIin]))[0]!.id;

  it('verifies, rejects or leaves for an operator as the registry answers, and a category only when it confirms one', async ({ expect }) => {
    const city = await seed.city();
    const parentIin = randomParentIin();
    const token = await parentToken(parentIin);
    const [confirmed, denied, unsure] = [randomIin('2016-01-10'), randomIin('2016-01-11'), randomIin('2016-01-12')];
    gateway.answers.set(confirmed, { body: { link: 'CONFIRMED', priorityCategory: 'CONFIRMED', reference: 'GBDFL-2026-0001' } });
    gateway.answers.set(denied, { body: { link: 'DENIED' } });
    gateway.answers.set(unsure, { body: { link: 'UNKNOWN' } });
    const ids: string[] = [];
    for (const iin of [confirmed, denied, unsure]) {
      const res = await viaRegistry.data(REGISTER, { input: { iin, fullName: 'Бала', relationship: 'MOTHER', priorityCategory: 'DISABILITY', city } }, { token });
      // The answer is the claim as recorded, whatever the registry says next.
      expect(res.registerChild.child.link).toMatchObject({ status: 'CLAIMED', declaredPriorityCategory: 'DISABILITY', priorityCategoryStatus: 'CLAIMED' });
      ids.push(res.registerChild.child.id);
    }
    expect(gateway.requests.filter((r) => [confirmed, denied, unsure].includes(r.body.childIin))).toEqual([
      { authorization: 'Bearer registry-secret', body: { parentIin, childIin: confirmed, relationship: 'MOTHER', priorityCategory: 'DISABILITY' } },
      { authorization: 'Bearer registry-secret', body: { parentIin, childIin: denied, relationship: 'MOTHER', priorityCategory: 'DISABILITY' } },
      { authorization: 'Bearer registry-secret', body: { parentIin, childIin: unsure, relationship: 'MOTHER', priorityCategory: 'DISABILITY' } },
    ]);
    const seen = await Promise.all(ids.map(async (id) => (await viaRegistry.data(MY_LINK, { id }, { token })).child));
    expect(seen).toEqual([
      { fullName: 'Бала', priorityCategory: 'DISABILITY', link: { status: 'VERIFIED', declaredPriorityCategory: 'DISABILITY', priorityCategoryStatus: 'VERIFIED' } },
      { fullName: 'Бала', priorityCategory: 'NONE', link: { status: 'REJECTED', declaredPriorityCategory: 'DISABILITY', priorityCategoryStatus: 'CLAIMED' } },
      { fullName: 'Бала', priorityCategory: 'NONE', link: { status: 'CLAIMED', declaredPriorityCategory: 'DISABILITY', priorityCategoryStatus: 'CLAIMED' } },
    ]);
    const cases = await viaRegistry.data(CASES, { filter: { childIin: unsure } }, { token: await seed.operator(city) });
    expect(cases.verificationCases.edges.map((e: any) => e.node)).toEqual([expect.objectContaining({ reason: 'REGISTRY_UNSURE', registryAnswer: 'UNKNOWN' })]);
    const evidence = await viaRegistry.sql(`select action, actor_role, actor_id, after->>'evidenceReference' as evidence from audit_event where entity_id = ? and action <> 'LINK_CLAIMED' order by id`, [await claimOf(confirmed)]);
    expect(evidence).toEqual([
      { action: 'LINK_VERIFIED', actor_role: 'SYSTEM', actor_id: 'population-registry', evidence: 'registry:GBDFL-2026-0001' },
      { action: 'PRIORITY_CATEGORY_VERIFIED', actor_role: 'SYSTEM', actor_id: 'population-registry', evidence: 'registry:GBDFL-2026-0001' },
    ]);
  });

  it('keeps a claim the registry could not answer and asks again later', async ({ expect }) => {
    const city = await seed.city();
    const token = await parentToken();
    const iin = randomIin('2016-02-20');
    gateway.answers.set(iin, { status: 503, body: 'maintenance' });
    const res = await viaRegistry.data(REGISTER, { input: { iin, fullName: 'Бала', relationship: 'FATHER', city } }, { token });
    const id = res.registerChild.child.id;
    expect((await viaRegistry.data(MY_LINK, { id }, { token })).child.link.status).toBe('CLAIMED');
    const claimId = await claimOf(iin);
    const operator = await seed.operator(city);
    expect((await viaRegistry.data(CASES, { filter: { childIin: iin } }, { token: operator })).verificationCases.edges[0].node).toMatchObject({ reason: 'REGISTRY_UNAVAILABLE', registryAttempts: 1 });

    // Not due yet: the verifier waits out the backoff.
    expect(await viaRegistry.verifyClaims([claimId])).toEqual({ answered: 0, failed: 0 });
    // A reply that is not the agreed shape is a failure too, never a decision.
    gateway.answers.set(iin, { body: { link: 'MAYBE' } });
    expect(await viaRegistry.verifyClaims([claimId], new Date(Date.now() + 3_600_000))).toEqual({ answered: 0, failed: 1 });
    gateway.answers.set(iin, { body: { link: 'CONFIRMED' } });
    expect(await viaRegistry.verifyClaims([claimId], new Date(Date.now() + 2 * 3_600_000))).toEqual({ answered: 1, failed: 0 });
    expect((await viaRegistry.data(MY_LINK, { id }, { token })).child.link.status).toBe('VERIFIED');
    expect((await viaRegistry.data(CASES, { filter: { childIin: iin } }, { token: operator })).verificationCases.edges).toEqual([]);
  });
});

describe.concurrent('the demo registry adapter', () => {
  it('confirms links, never categories, and says so once in the log', async ({ expect }) => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => void warnings.push(msg) } as unknown as Logger;
    const demo = new DemoRegistry(log);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/demo adapter.*every parent–child link is confirmed.*Never use it in production/);
    expect(await demo.check()).toEqual({ link: 'CONFIRMED', reference: 'demo' });
    expect(warnings).toHaveLength(1);
  });
});
