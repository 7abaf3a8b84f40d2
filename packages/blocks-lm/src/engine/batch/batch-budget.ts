/**
 * What each task has committed to in batches, for `max_cost_usd`: the cost of answers collected,
 * plus the worst case of requests still in pending batches. A batch is submitted only if adding
 * its requests' worst cases keeps every task within the budget.
 */
export class BatchBudget {
  private readonly spent = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  /** The worst case each submitted request added to its task's pending cost. */
  private readonly charged = new Map<string, { task: string; cost: number }>();

  constructor(private readonly maxCostUsd: number | undefined) {}

  /**
   * The tasks that could pass the budget if these requests (task and worst-case cost each, the
   * cost `undefined` when the model has no price) were submitted.
   */
  overBudget(requests: Array<{ task: string; cost: number | undefined }>): Set<string> {
    const refused = new Set<string>();
    if (this.maxCostUsd === undefined) return refused;
    const adding = new Map<string, number>();
    for (const { task, cost } of requests) {
      if (cost !== undefined) adding.set(task, (adding.get(task) ?? 0) + cost);
    }
    for (const [task, cost] of adding) {
      const committed = (this.spent.get(task) ?? 0) + (this.pending.get(task) ?? 0);
      if (committed + cost > this.maxCostUsd) refused.add(task);
    }
    return refused;
  }

  /** A request went into a batch. */
  submitted(key: string, task: string, cost: number | undefined): void {
    if (cost === undefined) return;
    this.charged.set(key, { task, cost });
    this.pending.set(task, (this.pending.get(task) ?? 0) + cost);
  }

  /** A request's batch was collected; `cost` is what its answer cost, if it had one. */
  collected(key: string, answer?: { task: string; cost: number }): void {
    const charged = this.charged.get(key);
    this.charged.delete(key);
    if (charged) {
      this.pending.set(charged.task, (this.pending.get(charged.task) ?? 0) - charged.cost);
    }
    if (answer) this.spent.set(answer.task, (this.spent.get(answer.task) ?? 0) + answer.cost);
  }
}
