/**
 * Counts a generation task's committed attempts that made no progress, where progress means a
 * rise in the task's accepted total after postprocessing. Postprocessors (dedup over every
 * record) run only when the task reaches its target, so records added before the first run of
 * them count as progress, but once a postprocessor has removed records, what later attempts add
 * is only judged at the next postprocessing: if it leaves more records than the best
 * postprocessed total so far, those attempts made progress; otherwise each of them stalled. A
 * model that repeats one answer, whose copies dedup removes again, therefore stalls out, instead
 * of looking busy forever. An attempt that adds nothing stalls at once.
 */
export class StallTracker {
  /** Committed attempts in a row that made no progress (compared with `max_stalled_requests`). */
  stalled = 0;
  /** Set once a postprocessor removed records: additions wait for the next postprocessing. */
  private refilling = false;
  private best = 0;
  private unjudged = 0;

  /** An attempt of the task was committed, having added `added` records. */
  committed(added: number): void {
    if (added === 0) this.stalled++;
    else if (this.refilling) this.unjudged++;
    else this.stalled = 0;
  }

  /** The postprocessors ran over the task's records and left `total` of `before`. */
  postprocessed(before: number, total: number): void {
    if (!this.refilling) {
      if (total >= before) return;
      this.refilling = true;
      this.best = total;
      this.unjudged = 0;
      return;
    }
    if (total > this.best) {
      this.best = total;
      this.stalled = 0;
    } else this.stalled += this.unjudged;
    this.unjudged = 0;
  }
}
