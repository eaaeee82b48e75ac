/** GraphQL surface of users, sign-in and API tokens. */
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ApiTokenScope, Role } from '../../core/auth';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';
import { Locale } from './user.locale';
import { ApiTokenPayload, AuthPayload, CreateUserInput, UpdateUserInput } from './user.types';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: 'The signed-in user (for an API token, its INTEGRATION user).' })
  me(@Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.get(ctx.principal!.userId);
  }

  @Authorized(Permission.USER_READ)
  @Query(() => [User])
  users(@Arg('role', () => Role, { nullable: true }) role: Role | null, @Ctx() ctx: Context): Promise<User[]> {
    return ctx.services.users.list(role);
  }

  @Authorized(Permission.ADMINISTER)
  @Query(() => [ApiToken])
  apiTokens(@Ctx() ctx: Context): Promise<ApiToken[]> {
    return ctx.services.users.listApiTokens();
  }

  @Mutation(() => AuthPayload, {
    description: 'Too many failures for the e-mail or from the client address: UNAUTHENTICATED with reason LOGIN_THROTTLED and retryAfterSeconds.',
  })
  login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.login(email, password, ctx.clientAddress);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes the user token of this request on every instance; its open subscriptions close (4403).' })
  logout(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logout(ctx.principal!);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes every user token of the caller issued up to now, this one included; their subscriptions close (4403).' })
  signOutEverywhere(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.signOutEverywhere(ctx.principal!);
  }

  @Authorized()
  @Mutation(() => User, { description: 'Sets the signed-in user’s language (User.locale): the notifications written from now on are in it.' })
  updateMyLocale(@Arg('locale', () => Locale) locale: Locale, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.setLocale(ctx.principal!.userId, locale);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => User)
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.create(input);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => User, { description: 'Deactivation and role changes apply at once and close the user’s subscriptions (4403).' })
  updateUser(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateUserInput) input: UpdateUserInput, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.users.update(id, input);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => ApiTokenPayload)
  createApiToken(
    @Arg('name', { description: '1–100 characters.' }) name: string,
    @Ctx() ctx: Context,
    @Arg('scopes', () => [ApiTokenScope], { nullable: true, description: 'What the token may do beyond reading, e.g. IMPORT (issue 12).' })
    scopes?: ApiTokenScope[] | null,
  ): Promise<ApiTokenPayload> {
    return ctx.services.users.createApiToken(name, ctx.principal!.userId, scopes ?? []);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => Boolean, { description: 'True when the token was active and is now revoked.' })
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.users.revokeApiToken(id);
  }
}
