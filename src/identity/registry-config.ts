// The population-registry part of the configuration. Like sms-config, it reports into the caller's
// `problems` list so every bad value of the whole configuration is shown at once.

export interface RegistryConfig {
  /**
   * 'webhook' asks the state population registry's gateway; 'demo' confirms every parent–child link
   * and no priority category (for the embedded start and tests only).
   */
  adapter: 'demo' | 'webhook';
  webhookUrl?: URL;
  webhookToken?: string;
  timeoutMs: number;
}

type Env = Record<string, string | undefined>;

const ADAPTERS: readonly RegistryConfig['adapter'][] = ['demo', 'webhook'];

/**
 * `embedded`: the database is the embedded one (no DATABASE_URL), where the demo adapter is the
 * default so `npm start` works out of the box. Against a real database the adapter must be chosen
 * explicitly: a production system that silently confirmed every claim would undo the protection.
 */
export function readRegistryConfig(env: Env, embedded: boolean, problems: string[]): RegistryConfig {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  const raw = value('IDENTITY_REGISTRY');
  let adapter: RegistryConfig['adapter'] = 'demo';
  if (raw === undefined) {
    if (!embedded) problems.push('IDENTITY_REGISTRY is required with DATABASE_URL: webhook (the population registry gateway) or demo (confirms every link; never in production)');
  } else if (ADAPTERS.includes(raw.toLowerCase() as RegistryConfig['adapter'])) {
    adapter = raw.toLowerCase() as RegistryConfig['adapter'];
  } else {
    problems.push(`IDENTITY_REGISTRY must be one of ${ADAPTERS.join(', ')} (got "${raw}")`);
  }

  let webhookUrl: URL | undefined;
  const rawUrl = value('IDENTITY_REGISTRY_URL');
  if (rawUrl !== undefined) {
    try {
      const url = new URL(rawUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      webhookUrl = url;
    } catch {
      problems.push(`IDENTITY_REGISTRY_URL must be an http(s) URL (got "${rawUrl}")`);
    }
  } else if (adapter === 'webhook') {
    problems.push('IDENTITY_REGISTRY_URL is required when IDENTITY_REGISTRY is webhook');
  }

  const rawTimeout = value('IDENTITY_REGISTRY_TIMEOUT_MS');
  let timeoutMs = 3000;
  if (rawTimeout !== undefined) {
    const n = Number(rawTimeout);
    if (!/^\d+$/.test(rawTimeout) || !Number.isSafeInteger(n) || n <= 0) problems.push(`IDENTITY_REGISTRY_TIMEOUT_MS must be a positive whole number (got "${rawTimeout}")`);
    else timeoutMs = n;
  }
  return { adapter, webhookUrl, webhookToken: value('IDENTITY_REGISTRY_TOKEN'), timeoutMs };
}
