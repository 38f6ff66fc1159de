import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import type { Child } from '../entities/index.js';
import { ChildType, RegisterChildInput, RegisterChildPayload } from '../schema/child.type.js';

@Resolver(() => ChildType)
export class ChildResolver {
  @Query(() => [ChildType], { description: 'PARENT: the children you represent.' })
  myChildren(@Ctx() ctx: Context): Promise<Child[]> {
    return ctx.services.children.myChildren(ctx.viewer);
  }

  @Query(() => ChildType, { description: 'PARENT (own children only) or ADMIN: one child. NOT_FOUND for anyone else’s.' })
  child(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Child> {
    return ctx.services.children.get(ctx.viewer, id);
  }

  @Mutation(() => RegisterChildPayload, { description: 'PARENT: links a child, by IIN, to you. Repeating it for the same child is harmless.' })
  async registerChild(@Ctx() ctx: Context, @Arg('input', () => RegisterChildInput) input: RegisterChildInput) {
    return { child: await ctx.services.children.register(ctx.viewer, input) };
  }
}
