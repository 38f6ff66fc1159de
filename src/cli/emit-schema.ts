// Writes schema.graphql from the code-first schema (npm run codegen runs this first).
import fs from 'node:fs';
import { printSchemaFile } from '../schema/print.js';

fs.writeFileSync(new URL('../../schema.graphql', import.meta.url), await printSchemaFile());
