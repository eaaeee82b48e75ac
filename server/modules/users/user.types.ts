/** Inputs and payloads of the users and authentication area. */
import { Field, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../core/auth';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';

@InputType()
export class CreateUserInput {
  @Field({ description: 'At most 254 characters.' })
  email!: string;

  @Field({ description: '1–200 characters.' })
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field({ description: '12 to 1,024 characters, not easy to guess (no common password, pattern, or the e-mail or name).' })
  password!: string;
}

@InputType({ description: 'Only the fields given change.' })
export class UpdateUserInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Role, { nullable: true, description: 'Not INTEGRATION; an INTEGRATION user keeps its role.' })
  role?: Role | null;

  @Field(() => Boolean, { nullable: true, description: 'false signs the user out everywhere and refuses their tokens until reactivated.' })
  active?: boolean | null;
}

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}

@ObjectType()
export class ApiTokenPayload {
  @Field({ description: 'The secret, shown only this once. Send as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field(() => ApiToken)
  apiToken!: ApiToken;

  @Field(() => User, { description: 'The INTEGRATION user the token acts as.' })
  user!: User;
}
