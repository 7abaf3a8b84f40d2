import { DgtError } from '../errors/dgt-error.js';

/** The DgtError for writing to a store that can only be read. */
export function readOnlyError(location: string, why: string): DgtError {
  return new DgtError(
    'DATA_FILE',
    `Cannot write to ${location}: ${why}. Use a single .jsonl, .json, .yaml or .csv file as ` +
      `the data_path of a store that is written to.`,
  );
}
