import { z } from 'zod';

/**
 * The `dgt` field of a plugin's package.json: what the package contributes, each id mapped to an
 * export subpath of the package (`"./blocks/judge"`). Listing plugins reads only this; no plugin
 * code runs until a task uses one of its ids.
 */
export const pluginManifestSchema = z.object({
  manifest: z.literal(1),
  blocks: z.record(z.string(), z.string().startsWith('./')).optional(),
  builders: z.record(z.string(), z.string().startsWith('./')).optional(),
  datastores: z.record(z.string(), z.string().startsWith('./')).optional(),
  formatters: z.record(z.string(), z.string().startsWith('./')).optional(),
});

/** The parsed `dgt` field of a plugin package. */
export type PluginManifest = z.infer<typeof pluginManifestSchema>;

/** The kinds of things a plugin can contribute. */
export type ContributionKind = 'blocks' | 'builders' | 'datastores' | 'formatters';
