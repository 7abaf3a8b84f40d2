import type { Document } from 'yaml';
import { DgtError, type DgtErrorCode } from '../errors/dgt-error.js';

/** How many alias expansions a YAML file may have: far more than any real task file uses. */
export const MAX_YAML_ALIASES = 1000;

/**
 * The JavaScript value of a parsed YAML document. A document whose aliases (`*name`) expand
 * past {@link MAX_YAML_ALIASES} nodes (an "alias bomb", which would take the memory of the
 * process) is a DgtError naming the file, rather than the `yaml` library's ReferenceError.
 */
export function yamlValue(doc: Document, file: string, code: DgtErrorCode): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new DgtError(
        code,
        `${file}: its YAML aliases (*name) expand to too many values (more than ${MAX_YAML_ALIASES}), as in a YAML "alias bomb". Write the repeated values out, or use fewer aliases.`,
        { cause: error },
      );
    }
    throw error;
  }
}
