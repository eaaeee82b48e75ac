/**
 * Ledger events of one unit of work. Lower areas (receivables, payments, customers)
 * announce that receivables or a customer's terms changed after their transaction
 * committed; higher areas (the overdue engine, credit status) listen. The composition
 * root wires listener and announcer per scope, so no lower area imports a higher one.
 */
export type ReceivablesChangedListener = (receivableIds: string[]) => Promise<void>;
export type CustomersChangedListener = (customerIds: string[]) => Promise<void>;

export class LedgerEvents {
  private readonly listeners: ReceivablesChangedListener[] = [];
  private readonly customerListeners: CustomersChangedListener[] = [];

  onReceivablesChanged(listener: ReceivablesChangedListener): void {
    this.listeners.push(listener);
  }

  /** Awaited: the caller's answer reflects what the listeners did (e.g. a cleared alarm). */
  async receivablesChanged(receivableIds: string[]): Promise<void> {
    if (receivableIds.length === 0) return;
    for (const listener of this.listeners) await listener(receivableIds);
  }

  /** A customer's terms changed (its credit limit), after the change committed. */
  onCustomersChanged(listener: CustomersChangedListener): void {
    this.customerListeners.push(listener);
  }

  async customersChanged(customerIds: string[]): Promise<void> {
    if (customerIds.length === 0) return;
    for (const listener of this.customerListeners) await listener(customerIds);
  }
}
