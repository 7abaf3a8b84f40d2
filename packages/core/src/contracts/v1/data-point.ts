/**
 * A record flowing through DGT: a plain JSON object with the task it belongs to, whether it is a
 * seed example, and the builder's own fields.
 */
export type DataPoint = {
  task_name: string;
  is_seed?: boolean;
  [field: string]: unknown;
};

/** A row handed to a block: any JSON-like object; blocks write their outputs onto it. */
export type BlockRow = Record<string, unknown>;
