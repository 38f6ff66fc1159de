import { Applicant } from './applicant.entity.js';
import { ApiKey } from './api-key.entity.js';
import { Child } from './child.entity.js';
import { City } from './city.entity.js';
import { Guardianship } from './guardianship.entity.js';
import { LocalizedText } from './localized-text.embeddable.js';
import { Program } from './program.entity.js';
import { Provider } from './provider.entity.js';

export { Applicant, ApiKey, Child, City, Guardianship, LocalizedText, Program, Provider };

/** Every entity the ORM knows; listed explicitly so tsx, tsc and vitest discover the same set. */
export const ENTITIES = [City, LocalizedText, Applicant, Child, Guardianship, Provider, Program, ApiKey];
