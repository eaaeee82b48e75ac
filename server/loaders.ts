/** The typed set of per-request DataLoaders, one group per domain area. */
import { EntityManager } from '@mikro-orm/postgresql';
import { createCustomerLoaders } from './modules/customers/customer.loaders';
import { createPaymentLoaders } from './modules/payments/payment.loaders';
import { createReceivableLoaders } from './modules/receivables/receivable.loaders';
import { createUserLoaders } from './modules/users/user.loaders';
import { createFeedbackLoaders } from './modules/feedback/feedback.loaders';

export function createLoaders(em: EntityManager) {
  return {
    ...createUserLoaders(em),
    ...createCustomerLoaders(em),
    ...createReceivableLoaders(em),
    ...createPaymentLoaders(em),
    ...createFeedbackLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
