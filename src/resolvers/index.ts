import { ChildResolver } from './child.resolver.js';
import { CityResolver } from './city.resolver.js';
import { ProgramResolver } from './program.resolver.js';
import { ProviderResolver } from './provider.resolver.js';
import { ViewerResolver } from './viewer.resolver.js';

export const RESOLVERS = [CityResolver, ProviderResolver, ProgramResolver, ChildResolver, ViewerResolver] as const;
