/** The language a user reads the system in (notifications today): one per user, `User.locale`. */
import { registerEnumType } from 'type-graphql';

export enum Locale {
  ZH_CN = 'zh-CN',
  EN = 'en',
}
registerEnumType(Locale, {
  name: 'Locale',
  description: 'A user’s language: ZH_CN (zh-CN, the default) or EN (en). Notifications are written in it.',
});
