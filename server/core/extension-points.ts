/**
 * Extension points: how a higher area plugs work into a lower one without the lower one
 * importing it (the arrows of the house point down). The lower area names a point
 * (`new ExtensionPoint<Its contract>('…')`) and reads what is plugged in when it works;
 * higher areas add to it in their `setup`, which the composition root calls in registry
 * order, on one `Extensions` per composition (so tests that compose twice never share).
 */
export class ExtensionPoint<T> {
  declare private readonly contract: T;
  constructor(readonly name: string) {}
}

export class Extensions {
  private readonly entries = new Map<ExtensionPoint<unknown>, unknown[]>();

  add<T>(point: ExtensionPoint<T>, item: T): void {
    this.listOf(point).push(item);
  }

  /** What is plugged into `point`, in the order the areas added it (lowest area first); a live list. */
  list<T>(point: ExtensionPoint<T>): readonly T[] {
    return this.listOf(point);
  }

  private listOf<T>(point: ExtensionPoint<T>): T[] {
    let list = this.entries.get(point);
    if (!list) this.entries.set(point, (list = []));
    return list as T[];
  }
}
