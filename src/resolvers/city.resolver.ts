import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import type { City } from '../entities/index.js';
import { CityType } from '../schema/city.type.js';

@Resolver(() => CityType)
export class CityResolver {
  @Query(() => [CityType], { description: 'The cities running the programme. Public.' })
  cities(@Ctx() ctx: Context): Promise<City[]> {
    return ctx.services.cities.list();
  }
}
