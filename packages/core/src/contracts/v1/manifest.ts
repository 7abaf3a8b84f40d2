/**
 * The `dgt` field of a plugin's package.json: what the package contributes, each id mapped to an
 * export subpath of the package (`"./blocks/judge"`). Listing plugins reads only this; no plugin
 * code runs until a task uses one of its ids.
 */
export type PluginManifest = {
  manifest: 1;
  blocks?: Record<string, string>;
  builders?: Record<string, string>;
  datastores?: Record<string, string>;
  formatters?: Record<string, string>;
};

/** The kinds of things a plugin can contribute. */
export type ContributionKind = 'blocks' | 'builders' | 'datastores' | 'formatters';
