/**
 * Ledger events of one unit of work. Lower areas (receivables, payments) announce that
 * receivables changed after their transaction committed; higher areas (the overdue
 * engine) listen. The composition root wires listener and announcer per scope, so no
 * lower area imports a higher one.
 */
export type ReceivablesChangedListener = (receivableIds: string[]) => Promise<void>;

export class LedgerEvents {
  private readonly listeners: ReceivablesChangedListener[] = [];

  onReceivablesChanged(listener: ReceivablesChangedListener): void {
    this.listeners.push(listener);
  }

  /** Awaited: the caller's answer reflects what the listeners did (e.g. a cleared alarm). */
  async receivablesChanged(receivableIds: string[]): Promise<void> {
    if (receivableIds.length === 0) return;
    for (const listener of this.listeners) await listener(receivableIds);
  }
}
