/** GraphQL types of notifications for people: settings, preferences and the outbox. */
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../../core/pagination';

export enum NotificationKind {
  OVERDUE_ALARM = 'OVERDUE_ALARM',
  PROMISE = 'PROMISE',
  DISPUTE = 'DISPUTE',
  LATE_BOOKING = 'LATE_BOOKING',
  PROPOSAL_ESCALATED = 'PROPOSAL_ESCALATED',
  FEEDBACK_REMINDER = 'FEEDBACK_REMINDER',
  WEEKLY_DIGEST = 'WEEKLY_DIGEST',
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
  DAILY_DIGEST = 'DAILY_DIGEST',
  TEST = 'TEST',
}
registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description:
    'OVERDUE_ALARM: a receivable of your customer became overdue, escalated or cleared (SALES); PROMISE: a promise to pay of your customer made, kept or broken (SALES); DISPUTE: a dispute opened or resolved (SALES of the customer, FINANCE); LATE_BOOKING: a payment of at least LATE_BOOKING_NOTIFY_AMOUNT booked past BOOKING_LAG_LIMIT_DAYS (FINANCE); PROPOSAL_ESCALATED: an improvement proposal escalated to management (PROJECT_LEAD); FEEDBACK_REMINDER: your feedback report for a period is still missing (sendFeedbackReminders); WEEKLY_DIGEST: the weekly analysis just stored, in short (MANAGER); WEBHOOK_ENDPOINT_DISABLED: consecutive dead deliveries disabled a webhook endpoint (ADMIN); DAILY_DIGEST: one message with everything of the kinds you get as DAILY_DIGEST since the last one (at DIGEST_AT); TEST: sendTestNotification. DAILY_DIGEST and TEST take no preference.',
});

export enum NotificationDelivery {
  IMMEDIATE = 'IMMEDIATE',
  DAILY_DIGEST = 'DAILY_DIGEST',
  OFF = 'OFF',
}
registerEnumType(NotificationDelivery, {
  name: 'NotificationDelivery',
  description:
    'IMMEDIATE: sent as it happens (the default); DAILY_DIGEST: kept (status AWAITING_DIGEST) and sent, with everything else kept for you, as ONE message per channel at DIGEST_AT (default 08:30 company time; nothing is sent when nothing is kept); OFF: not sent.',
});

export enum NotificationChannel {
  EMAIL = 'EMAIL',
  IM = 'IM',
}
registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  description: 'EMAIL: to the user’s address, through SMTP_URL; IM: a JSON POST to the user’s incoming-webhook URL (WeCom, DingTalk, Feishu, Slack).',
});

export enum NotificationStatus {
  PENDING = 'PENDING',
  SENDING = 'SENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  DEAD = 'DEAD',
  AWAITING_DIGEST = 'AWAITING_DIGEST',
  DIGESTED = 'DIGESTED',
}
registerEnumType(NotificationStatus, {
  name: 'NotificationStatus',
  description:
    'PENDING: waiting; SENDING: being sent; SENT; FAILED: the next attempt is scheduled; DEAD: given up after 8 attempts; AWAITING_DIGEST: kept for the next daily digest; DIGESTED: told in the daily digest `digestId` (follow that one for its sending).',
});

@ObjectType()
export class NotificationPreference {
  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => NotificationDelivery)
  delivery!: NotificationDelivery;
}

@ObjectType({ description: 'How the signed-in user is notified (in the language of User.locale).' })
export class NotificationSettings {
  @Field({ description: 'E-mail to the user’s address is on.' })
  emailEnabled!: boolean;

  @Field({ description: 'The server can send e-mail (SMTP_URL is set).' })
  emailAvailable!: boolean;

  @Field({ description: 'Where e-mail goes: the user’s address.' })
  email!: string;

  @Field(() => String, { nullable: true, description: 'The IM incoming-webhook URL; null: no IM.' })
  imWebhookUrl!: string | null;

  @Field(() => [NotificationPreference], { description: 'Every kind, with its delivery.' })
  preferences!: NotificationPreference[];
}

@InputType()
export class NotificationPreferenceInput {
  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => NotificationDelivery)
  delivery!: NotificationDelivery;
}

@InputType({ description: 'What to change; fields left out stay.' })
export class NotificationSettingsInput {
  @Field(() => Boolean, { nullable: true })
  emailEnabled?: boolean | null;

  @Field(() => String, { nullable: true, description: 'An https URL of an IM bot (WeCom, DingTalk, Feishu, Slack); an empty string removes it.' })
  imWebhookUrl?: string | null;

  @Field(() => [NotificationPreferenceInput], { nullable: true, description: 'The kinds to change.' })
  preferences?: NotificationPreferenceInput[] | null;
}

@ObjectType({ description: 'One attempt of a notification.' })
export class NotificationAttempt {
  @Field(() => Date)
  at!: Date;

  @Field(() => String, { nullable: true, description: 'Why it failed; null when it was sent.' })
  error!: string | null;
}

@ObjectType({ description: 'One message of the outbox: to whom, how, what, and its state.' })
export class Notification {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => NotificationChannel)
  channel!: NotificationChannel;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field(() => NotificationStatus)
  status!: NotificationStatus;

  @Field(() => [NotificationAttempt])
  attempts!: NotificationAttempt[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  sentAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'DIGESTED: the DAILY_DIGEST notification that told it; null otherwise.' })
  digestId!: string | null;
}

export const NotificationConnection = connectionType('Notification', Notification);
export type NotificationConnection = InstanceType<typeof NotificationConnection>;
