import { Role } from '../domain/enums.js';
import { ErrorCode, refusal } from '../errors.js';
import { looksLikeApiKey, type ApiKeyService } from '../services/api-key.service.js';
import { InvalidTokenError, type TokenService } from './tokens.js';
import { PUBLIC_VIEWER, type Viewer } from './viewer.js';

/** What a caller presented: the Authorization header (or `authorization` connection param) and/or an API key. */
export interface Credentials {
  authorization?: unknown;
  apiKey?: unknown;
}

/** 401 over HTTP; over WebSocket the connection is refused instead. */
const rejected = (message: string) => refusal(ErrorCode.UNAUTHENTICATED, message);

/**
 * Establishes the viewer. No credentials means PUBLIC; credentials that are present but bad are an
 * error, never a silent downgrade to PUBLIC, so a client with an expired token finds out at once.
 */
/** Finds the provider record of a BIN, for PROVIDER tokens that carry a BIN rather than a provider id. */
export interface ProviderDirectory {
  idForBin(bin: string): Promise<string | null>;
}

export async function authenticate(credentials: Credentials, tokens: TokenService, apiKeys: ApiKeyService, providers: ProviderDirectory): Promise<Viewer> {
  const { authorization, apiKey } = credentials;
  if (apiKey !== undefined && apiKey !== null && apiKey !== '') {
    const viewer = typeof apiKey === 'string' ? await apiKeys.authenticate(apiKey) : null;
    if (!viewer) throw rejected('The API key is not valid or has been revoked.');
    return viewer;
  }
  if (authorization === undefined || authorization === null || authorization === '') return PUBLIC_VIEWER;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!match) throw rejected('Send credentials as "Authorization: Bearer <token>".');
  const token = match[1]!;
  if (looksLikeApiKey(token)) {
    const viewer = await apiKeys.authenticate(token);
    if (!viewer) throw rejected('The API key is not valid or has been revoked.');
    return viewer;
  }
  let viewer: Viewer;
  try {
    viewer = await tokens.verify(token);
  } catch (err) {
    if (err instanceof InvalidTokenError) throw rejected('The bearer token is not valid or has expired.');
    throw err;
  }
  // The BIN is the identity: once its provider record exists (applied or registered), the token acts for it.
  if (viewer.role === Role.PROVIDER && viewer.providerId === null && viewer.bin) return { ...viewer, providerId: await providers.idForBin(viewer.bin) };
  return viewer;
}
