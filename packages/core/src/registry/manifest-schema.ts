import { z } from 'zod';
import type { PluginManifest } from '../contracts/v1/manifest.js';

const subpath = z.record(z.string(), z.string().startsWith('./'));

/** Validates the `dgt` field of a plugin's package.json (see {@link PluginManifest}). */
export const pluginManifestSchema: z.ZodType<PluginManifest> = z.object({
  manifest: z.literal(1),
  blocks: subpath.optional(),
  builders: subpath.optional(),
  datastores: subpath.optional(),
  formatters: subpath.optional(),
});
