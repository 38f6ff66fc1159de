import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.js';
import { readOrCreateSecret } from '../db/embedded-postgres.js';
import { Role } from '../domain/enums.js';
import { parseIin, validateBin } from '../domain/kazakh-ids.js';
import { isUuid } from '../ids.js';
import type { Viewer } from './viewer.js';

export const TOKEN_ISSUER = 'kezek';
export const TOKEN_AUDIENCE = 'kezek-api';

/** Claims Kezek reads from a token, whichever party signed it. */
export interface KezekClaims extends JWTPayload {
  role: string;
  /** PARENT: the parent's IIN. */
  sub?: string;
  /** PROVIDER: the provider id the staff member works for. */
  provider?: string;
  /** PROVIDER (instead of `provider`): the organisation's BIN; Kezek finds its provider record, if any. */
  bin?: string;
  /** OPERATOR: the city code the operator's education department serves. */
  city?: string;
  name?: string;
  phone?: string;
}

export class InvalidTokenError extends Error {}

export interface TokenService {
  verify(token: string): Promise<Viewer>;
  /** Present only when Kezek holds a signing secret (not when tokens come from an identity provider). */
  sign?(claims: KezekClaims, ttlSeconds: number): Promise<string>;
}

/**
 * The signing secret for this configuration: JWT_SECRET, or one generated once into the data folder
 * so tokens survive restarts. Null when an identity provider's JWKS signs tokens instead.
 */
export function resolveSecret(config: Config): Uint8Array | null {
  if (config.jwtSecret) return new TextEncoder().encode(config.jwtSecret);
  if (config.jwksUrl) return null;
  const secret = readOrCreateSecret(path.join(config.dataDir, 'jwt-secret'), () => randomBytes(48).toString('base64url'));
  return new TextEncoder().encode(secret);
}

export function createTokenService(config: Config): TokenService {
  const secret = resolveSecret(config);
  const jwks: JWTVerifyGetKey | null = config.jwksUrl ? createRemoteJWKSet(config.jwksUrl) : null;

  const verify = async (token: string): Promise<Viewer> => {
    let payload: JWTPayload;
    try {
      // A token without `exp` would be valid forever, and a leaked one could never be retired.
      if (jwks) payload = (await jwtVerify(token, jwks, { issuer: config.jwtIssuer, audience: config.jwtAudience, requiredClaims: ['exp'] })).payload;
      else payload = (await jwtVerify(token, secret!, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp'] })).payload;
    } catch (err) {
      throw new InvalidTokenError(`token rejected: ${(err as Error).message}`);
    }
    return viewerFromClaims(payload as KezekClaims);
  };

  const sign = secret
    ? (claims: KezekClaims, ttlSeconds: number) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
          .sign(secret)
    : undefined;

  return { verify, sign };
}

/** Turns verified claims into a Viewer, refusing tokens whose role and scope do not fit together. */
export function viewerFromClaims(claims: KezekClaims): Viewer {
  const expiresAt = typeof claims.exp === 'number' ? claims.exp : undefined;
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  switch (claims.role) {
    case Role.PARENT: {
      if (!claims.sub || !parseIin(claims.sub).ok) throw new InvalidTokenError('a PARENT token needs a valid IIN as sub');
      const phone = typeof claims.phone === 'string' ? claims.phone : undefined;
      return { role: Role.PARENT, iin: claims.sub, name, phone, expiresAt };
    }
    case Role.PROVIDER:
      if (claims.provider !== undefined && claims.bin !== undefined) throw new InvalidTokenError('a PROVIDER token carries a provider id or a BIN, not both');
      if (claims.bin !== undefined) {
        if (typeof claims.bin !== 'string' || !validateBin(claims.bin).ok) throw new InvalidTokenError('a PROVIDER token needs a valid BIN');
        // Resolved to the provider record (if any) by authenticate(), which can read the database.
        return { role: Role.PROVIDER, providerId: null, bin: claims.bin, name, expiresAt };
      }
      if (!claims.provider || !isUuid(claims.provider)) throw new InvalidTokenError('a PROVIDER token needs a provider id or a BIN');
      return { role: Role.PROVIDER, providerId: claims.provider.toLowerCase(), name, expiresAt };
    case Role.OPERATOR:
      if (!claims.city || !/^[A-Z_]{2,40}$/.test(claims.city)) throw new InvalidTokenError('an OPERATOR token needs a city code');
      return { role: Role.OPERATOR, cityCode: claims.city, name, expiresAt };
    case Role.AGENCY:
      return { role: Role.AGENCY, name: name ?? claims.sub, expiresAt };
    case Role.ADMIN:
      return { role: Role.ADMIN, name: name ?? claims.sub, expiresAt };
    default:
      throw new InvalidTokenError(`unknown role "${String(claims.role)}"`);
  }
}
