/** The customers area: customers, their owners (salespeople) and their balances. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineArea, type RequestScope } from '../../core/module';
import { Customer } from './customer.entity';
import { createCustomerLoaders } from './customer.loaders';
import { CustomerResolver } from './customer.resolver';
import { CustomerService } from './customer.service';
import { CustomerErrorReason } from './customer.errors';
import { customerProjections } from './customer.projections';

declare module '../../context' {
  interface Services {
    customers: CustomerService;
  }
  interface Loaders extends ReturnType<typeof createCustomerLoaders> {}
}

export const customersArea = defineArea({
  name: 'customers',
  entities: [Customer],
  resolvers: [CustomerResolver],
  reasons: CustomerErrorReason,
  projections: customerProjections,
  setup: ({ clock, config }) => ({
    services: ({ em, clock: scopeClock, events }: RequestScope) => ({ customers: new CustomerService(em, scopeClock, config.timeZone, events) }),
    loaders: (em: EntityManager) => createCustomerLoaders(em, clock, config.timeZone),
  }),
});
