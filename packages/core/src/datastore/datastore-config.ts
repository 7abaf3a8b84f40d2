import { z } from 'zod';

/**
 * The keys every datastore mapping of a task file may carry (DiGiT's names). The object is loose:
 * a datastore type may read more keys, and unknown keys are kept.
 *
 * @example
 * datastore:
 *   type: default
 *   data_path: seeds/*.jsonl
 */
export const datastoreConfigSchema = z.looseObject({
  /** The datastore type (`default`, `jsonl`, `csv`, a plugin's id, …). */
  type: z.string().min(1).optional(),
  /** A file, a folder or a glob; relative paths resolve against the task file's folder. */
  data_path: z.string().min(1).optional(),
  /**
   * An explicit format (`jsonl`, `json`, `yaml`, `csv`, `parquet`, `text`, `markdown`), for the
   * `default` type.
   */
  data_format: z.string().min(1).optional(),
  /** Overrides the store's base name inside the output folder (`data`, `blocks/dedup`). */
  store_name: z.string().min(1).optional(),
  /** Overrides the output folder the store lives in when there is no `data_path`. */
  output_dir: z.string().min(1).optional(),
  /**
   * A last line of a JSON Lines input that is incomplete (not valid JSON, no newline after it):
   * `error` (the default) or `skip` it.
   */
  torn_last_line: z.enum(['error', 'skip']).optional(),
  /** Read `data_path` even when it is a named pipe or a device (default: refused). */
  allow_special_files: z.boolean().optional(),
});

/** A validated datastore mapping. */
export type DatastoreConfig = z.infer<typeof datastoreConfigSchema>;
