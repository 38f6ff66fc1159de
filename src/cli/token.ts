// npm run -s token -- --role PARENT --sub <IIN> [--name …] [--phone …]
//                   --role PROVIDER --provider <id> | --role PROVIDER --bin <BIN> (a provider-to-be, or a provider by its BIN) | --role OPERATOR --city ASTANA | --role AGENCY | --role ADMIN
// Prints a signed bearer token for the running configuration (JWT_SECRET or the data folder's secret), and nothing else.
import { parseArgs } from 'node:util';
import { createTokenService, type KezekClaims, viewerFromClaims } from '../auth/tokens.js';
import { Role } from '../domain/enums.js';
import { runCli } from './run.js';

await runCli(async (config) => {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
      provider: { type: 'string' },
      bin: { type: 'string' },
      city: { type: 'string' },
      ttl: { type: 'string', default: '43200' },
    },
    strict: true,
  });
  const role = values.role?.toUpperCase();
  if (!role || !(role in Role) || role === Role.PUBLIC) {
    throw new Error('--role must be one of PARENT, PROVIDER, OPERATOR, AGENCY, ADMIN');
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl is a number of seconds');
  const claims: KezekClaims = { role, sub: values.sub, name: values.name, phone: values.phone, provider: values.provider, bin: values.bin, city: values.city?.toUpperCase() };
  for (const key of Object.keys(claims) as (keyof KezekClaims)[]) if (claims[key] === undefined) delete claims[key];
  viewerFromClaims(claims); // refuses combinations the API would refuse (e.g. PARENT without a valid IIN)
  const tokens = createTokenService(config);
  if (!tokens.sign) throw new Error('Tokens are signed by the identity provider (JWT_JWKS_URL); Kezek holds no signing key.');
  process.stdout.write(`${await tokens.sign(claims, ttl)}\n`);
});
