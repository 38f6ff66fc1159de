// Deciding a priority category, found wrong by the lifecycle model test:
// - a category verified in error and then rejected stops counting: the child's category falls back
//   (to none, or to one another claim verified) and its places are re-ranked at once (before, the
//   rejection only marked the claim and the child kept its priority rank);
// - a verification sent together with the child's application: the application ranks by the
//   verified category (before, it could read the category before the verification and be inserted
//   after its re-ranking, keeping the ordinary rank until the next change).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.js';
import { freshDatabase } from '../support/fresh-database.js';
import { Seed } from '../support/seed.js';

let api: TestApi;
let seed: Seed;
let drop: () => Promise<void>;
beforeAll(async () => {
  // A database of its own: the test reads exact queue positions of a city.
  const fresh = await freshDatabase('kezek_category');
  drop = fresh.drop;
  api = await TestApi.start({ db: fresh.db });
  seed = new Seed(api);
});
afterAll(async () => {
  await api?.close();
  await drop?.();
});

const CITY = 'ASTANA';
const DECIDE = `mutation($input: DecideClaimInput!) { decidePriorityCategory(input: $input) { case { id priorityCategoryStatus } } }`;
const position = async (token: string, id: string) => (await api.data(`query($id: ID!) { application(id: $id) { status position priorityCategory } }`, { id }, { token })).application;

describe('rejecting a verified priority category', () => {
  it('takes the category away from the child and re-ranks its place behind the ordinary queue it had passed', async () => {
    const ordinary = await seed.parent().withChild(1, undefined, 'NONE');
    const ordinaryApp = await seed.apply(ordinary, 0, 'TARGETED', CITY);
    const orphan = await seed.parent().withChild(1, undefined, 'ORPHAN'); // verified by an administrator
    const orphanApp = await seed.apply(orphan, 0, 'TARGETED', CITY);
    expect(await position(orphan.token, orphanApp)).toEqual({ status: 'QUEUED', position: 1, priorityCategory: 'ORPHAN' });
    expect(await position(ordinary.token, ordinaryApp)).toMatchObject({ position: 2 });

    // The certificate turns out not to be valid: the city rejects the category it had verified.
    const caseId = (await api.sql<{ id: string }>(`select id from guardianship where child_id = ?`, [orphan.children[0]!.id]))[0]!.id;
    const { decidePriorityCategory } = await api.data(DECIDE, { input: { caseId, decision: 'REJECT', evidenceReference: 'certificate revoked by the issuer' } }, { token: await seed.operator(CITY) });
    expect(decidePriorityCategory.case).toEqual({ id: caseId, priorityCategoryStatus: 'REJECTED' });

    const child = (await api.data(`query($id: ID!) { child(id: $id) { priorityCategory } }`, { id: orphan.children[0]!.id }, { token: orphan.token })).child;
    expect(child).toEqual({ priorityCategory: 'NONE' });
    // Ranked by submission now: the ordinary family applied first.
    expect(await position(ordinary.token, ordinaryApp)).toMatchObject({ position: 1 });
    expect(await position(orphan.token, orphanApp)).toEqual({ status: 'QUEUED', position: 2, priorityCategory: 'NONE' });
    const [rank] = await api.sql<{ priority_rank: number; priority_category: string }>(`select priority_rank, priority_category from application where id = ?`, [orphanApp]);
    const [ordinaryRank] = await api.sql<{ priority_rank: number }>(`select priority_rank from application where id = ?`, [ordinaryApp]);
    expect(rank).toEqual({ priority_rank: ordinaryRank!.priority_rank, priority_category: 'NONE' });
  });

  it('a verification sent with the child’s application: the application always ranks by the verified category', async () => {
    // The family names no city at registration: the case is an administrator's until it applies.
    const admin = await seed.admin();
    const outcomes: string[] = [];
    for (let trial = 0; trial < 12; trial++) {
      const family = await seed.parent().withChild(1, undefined, 'ORPHAN', { categoryVerified: false });
      const caseId = await seed.caseOf(family.children[0]!.iin);
      const [applied, decided] = await Promise.all([
        api.request(`mutation($i: ApplyForVoucherInput!) { applyForVoucher(input: $i) { application { id } } }`, { i: { childId: family.children[0]!.id, voucherType: 'UNIVERSAL', city: CITY } }, { token: family.token }),
        api.request(DECIDE, { input: { caseId, decision: 'VERIFY', evidenceReference: 'orphan certificate 12' } }, { token: admin }),
      ]);
      expect([applied.body.errors, decided.body.errors]).toEqual([undefined, undefined]);
      const [row] = await api.sql<{ priority_category: string; priority_rank: number }>(`select priority_category, priority_rank from application where id = ?`, [applied.body.data!.applyForVoucher.application.id]);
      outcomes.push(`${row!.priority_category}/${row!.priority_rank}`);
    }
    // ORPHAN heads the default priority order (rank 0).
    expect(outcomes).toEqual(Array(12).fill('ORPHAN/0'));
  });
});

