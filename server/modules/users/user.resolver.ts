/** GraphQL surface of users, sign-in and API tokens. */
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../../core/auth';
import { type Context } from '../../context';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';
import { ApiTokenPayload, AuthPayload, CreateUserInput } from './user.inputs';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: 'The signed-in user (for an API token, its INTEGRATION user).' })
  me(@Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.get(ctx.principal!.userId);
  }

  @Authorized(Role.MANAGER, Role.FINANCE, Role.PROJECT_LEAD)
  @Query(() => [User])
  users(@Arg('role', () => Role, { nullable: true }) role: Role | null, @Ctx() ctx: Context): Promise<User[]> {
    return ctx.services.users.list(role);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [ApiToken])
  apiTokens(@Ctx() ctx: Context): Promise<ApiToken[]> {
    return ctx.services.users.listApiTokens();
  }

  @Mutation(() => AuthPayload)
  login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.login(email, password);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User)
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.create(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ApiTokenPayload)
  createApiToken(@Arg('name', { description: '1–100 characters.' }) name: string, @Ctx() ctx: Context): Promise<ApiTokenPayload> {
    return ctx.services.users.createApiToken(name, ctx.principal!.userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'True when the token was active and is now revoked.' })
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.users.revokeApiToken(id);
  }
}
