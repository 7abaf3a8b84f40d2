import { defineBuilder } from '@dgt/core';
import { z } from 'zod';

/** Why DiGiT's `time_series` builder has no DGT counterpart, and what to do instead. */
export const TIME_SERIES_UNSUPPORTED =
  "DiGiT's time_series databuilder (SDForger) cannot run in DGT: it fine-tunes a language model on the series' embeddings and samples it with vLLM inside the Python process, and Node has neither. Run this task with Python DiGiT (fms-dgt); DGT's builders generate text through LM servers (see dgt list).";

/**
 * Task schema of `time_series`: never satisfied, so `dgt validate` and `dgt run` stop before any
 * work with {@link TIME_SERIES_UNSUPPORTED} at the task's `data_builder:` line.
 */
export const timeSeriesTaskSchema = z.looseObject({}).superRefine((_task, ctx) => {
  ctx.addIssue({ code: 'custom', path: ['data_builder'], message: TIME_SERIES_UNSUPPORTED });
});

/**
 * `time_series`: stands in for DiGiT's SDForger builder so its task files fail with one clear
 * message instead of "unknown databuilder". It never runs.
 */
export const timeSeriesBuilder = defineBuilder({
  kind: 'transformation',
  name: 'time_series',
  description: `Makes nothing: stands in for DiGiT's SDForger time-series builder so its task files stop with the reason. ${TIME_SERIES_UNSUPPORTED}`,
  config: { name: 'time_series', blocks: [], postprocessors: [] },
  taskSchema: timeSeriesTaskSchema,
  async call() {
    throw new Error(TIME_SERIES_UNSUPPORTED);
  },
});
