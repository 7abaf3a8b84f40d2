import type { ContributionKind } from '../contracts/v1/manifest.js';
import { DgtError, type DgtErrorCode } from '../errors/dgt-error.js';
import { nearestNames } from '../util/nearest-names.js';

/** One id a package contributes, with a lazy loader: nothing is imported until it is used. */
export type Contribution = {
  kind: ContributionKind;
  id: string;
  /** The providing package (or `local:<folder>` for builder folders). */
  packageName: string;
  version: string;
  /**
   * What the id points at within its package (the export subpath); ids of one package with the
   * same target are aliases of one contribution.
   */
  target?: string;
  /** Loads the module and returns its export (the definition or builder). */
  load(): Promise<unknown>;
};

const UNKNOWN_CODES: Record<ContributionKind, DgtErrorCode> = {
  builders: 'UNKNOWN_BUILDER',
  blocks: 'UNKNOWN_BLOCK_TYPE',
  datastores: 'UNKNOWN_DATASTORE_TYPE',
  formatters: 'UNKNOWN_FORMATTER',
};

const NOUNS: Record<ContributionKind, string> = {
  builders: 'databuilder',
  blocks: 'block type',
  datastores: 'datastore type',
  formatters: 'formatter',
};

/**
 * Every builder, block, datastore and formatter id known to a run, mapped to the package that
 * provides it. Registering the same id from two packages is an error naming both.
 */
export class Registry {
  private readonly entries = new Map<ContributionKind, Map<string, Contribution>>();
  private readonly loaded = new Map<Contribution, Promise<unknown>>();

  /** Adds a contribution; a second package claiming the same id is a {@link DgtError}. */
  add(contribution: Contribution): void {
    const byId = this.entries.get(contribution.kind) ?? new Map<string, Contribution>();
    this.entries.set(contribution.kind, byId);
    const existing = byId.get(contribution.id);
    if (existing && existing.packageName !== contribution.packageName) {
      throw new DgtError(
        'DUPLICATE_PLUGIN_ID',
        `${NOUNS[contribution.kind]} "${contribution.id}" is provided by both ${existing.packageName}@${existing.version} and ${contribution.packageName}@${contribution.version}. Uninstall one of them or rename the id in its package.json "dgt" field.`,
      );
    }
    if (!existing) byId.set(contribution.id, contribution);
  }

  /** The contribution for an id, if any. */
  find(kind: ContributionKind, id: string): Contribution | undefined {
    return this.entries.get(kind)?.get(id);
  }

  /** All contributions of a kind (or of every kind), sorted by id. */
  list(kind?: ContributionKind): Contribution[] {
    const kinds = kind ? [kind] : ([...this.entries.keys()] as ContributionKind[]);
    return kinds
      .flatMap((k) => [...(this.entries.get(k)?.values() ?? [])])
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
  }

  /**
   * Loads the export behind an id (once; later calls share the result). An unknown id is a
   * {@link DgtError} suggesting the nearest known ids; `where` names the place that used it.
   */
  async load(kind: ContributionKind, id: string, where: string): Promise<unknown> {
    const contribution = this.find(kind, id);
    if (!contribution) {
      const known = [...(this.entries.get(kind)?.keys() ?? [])];
      const near = nearestNames(id, known);
      const hint = near.length
        ? ` Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?`
        : known.length
          ? ` Known: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}.`
          : '';
      throw new DgtError(
        UNKNOWN_CODES[kind],
        `${where}: unknown ${NOUNS[kind]} "${id}".${hint} If it comes from a plugin, add that package to your project's dependencies (dgt list shows what is installed).`,
      );
    }
    let pending = this.loaded.get(contribution);
    if (!pending) {
      pending = contribution.load();
      this.loaded.set(contribution, pending);
    }
    return pending;
  }
}
