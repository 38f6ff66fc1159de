import { Role } from '../domain/enums.js';

/**
 * Who is calling, as established from a bearer token or an API key. Services receive it as their
 * first argument and check it before anything else.
 */
export type Viewer =
  | { role: Role.PUBLIC }
  | { role: Role.PARENT; iin: string; name?: string; phone?: string; expiresAt?: number }
  // A provider's staff: by provider id, or by BIN (the organisation's identity, as an identity
  // provider certifies it). A BIN with no provider record yet is an applicant (providerId null):
  // it may apply and read its own application, nothing else.
  | { role: Role.PROVIDER; providerId: string | null; bin?: string; name?: string; expiresAt?: number }
  | { role: Role.OPERATOR; cityCode: string; name?: string; expiresAt?: number }
  | { role: Role.AGENCY; name?: string; apiKeyId?: string; expiresAt?: number }
  | { role: Role.ADMIN; name?: string; expiresAt?: number };

export const PUBLIC_VIEWER: Viewer = Object.freeze({ role: Role.PUBLIC });

export type ViewerOf<R extends Role> = Extract<Viewer, { role: R }>;

/** True when the viewer's token has an expiry that has passed (API keys and PUBLIC never expire). */
export function isExpired(viewer: Viewer, nowSeconds = Date.now() / 1000): boolean {
  return 'expiresAt' in viewer && viewer.expiresAt !== undefined && viewer.expiresAt <= nowSeconds;
}
