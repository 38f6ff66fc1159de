import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, InvalidTokenError } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';

describe('tokens signed by Kezek (HS256)', () => {
  const tokens = createTokenService(loadConfig({ JWT_SECRET: 'x'.repeat(40), DATA_DIR: '/nonexistent' }));

  it('round-trips each role into a viewer', async () => {
    const parent = await tokens.sign!({ role: 'PARENT', sub: '880101300010', name: 'Ана', phone: '+77011234567' }, 60);
    expect(await tokens.verify(parent)).toMatchObject({ role: 'PARENT', iin: '880101300010', name: 'Ана', phone: '+77011234567' });
    const operator = await tokens.sign!({ role: 'OPERATOR', city: 'ASTANA' }, 60);
    expect(await tokens.verify(operator)).toMatchObject({ role: 'OPERATOR', cityCode: 'ASTANA' });
    // A provider by its BIN: the record (if any) is found by authenticate(), which reads the database.
    const byBin = await tokens.sign!({ role: 'PROVIDER', bin: '200240000008' }, 60);
    expect(await tokens.verify(byBin)).toMatchObject({ role: 'PROVIDER', providerId: null, bin: '200240000008' });
  });

  it.each([
    [{ role: 'PARENT', sub: '880101300011' }, /valid IIN/],
    [{ role: 'PROVIDER' }, /provider id/],
    [{ role: 'PROVIDER', bin: '200240000009' }, /valid BIN/],
    [{ role: 'PROVIDER', bin: '200240000008', provider: '00000000-0000-7000-8000-000000000000' }, /not both/],
    [{ role: 'OPERATOR', city: 'astana city' }, /city code/],
    [{ role: 'SUPERUSER' }, /unknown role/],
  ])('refuses claims %j', async (claims, message) => {
    const token = await tokens.sign!(claims as never, 60);
    await expect(tokens.verify(token)).rejects.toThrow(message);
  });

  it('refuses a token without an expiry', async () => {
    const forever = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('kezek')
      .setAudience('kezek-api')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    await expect(tokens.verify(forever)).rejects.toThrow(/"exp" claim/);
  });

  it('refuses a token signed with another secret', async () => {
    const other = createTokenService(loadConfig({ JWT_SECRET: 'y'.repeat(40), DATA_DIR: '/nonexistent' }));
    const token = await other.sign!({ role: 'ADMIN' }, 60);
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('tokens from an identity provider (JWKS)', () => {
  let server: http.Server;
  let url: string;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const issue = (claims: Record<string, unknown>, audience = 'kezek') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://idp.gov.kz').setAudience(audience).setExpirationTime('5m').sign(privateKey);

  it('verifies with the published keys and checks issuer and audience', async () => {
    const tokens = createTokenService(loadConfig({ JWT_JWKS_URL: url, JWT_AUDIENCE: 'kezek', JWT_ISSUER: 'https://idp.gov.kz' }));
    expect(tokens.sign).toBeUndefined();
    expect(await tokens.verify(await issue({ role: 'AGENCY', sub: 'stat.gov.kz' }))).toMatchObject({ role: 'AGENCY', name: 'stat.gov.kz' });
    await expect(tokens.verify(await issue({ role: 'ADMIN' }, 'some-other-system'))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('will not start without an audience', () => {
    expect(() => loadConfig({ JWT_JWKS_URL: url })).toThrow(/JWT_AUDIENCE is required/);
  });
});
