import type { BlockRow, BuilderContext } from '@dgt/core';

/**
 * Runs the builder's validator blocks over `rows`, in the order of its config, and returns the
 * rows that pass. Postprocessors and the blocks named in `skip` (those the builder calls itself)
 * are left out, so a `--config-path` override can add a check just by listing a validator block.
 */
export async function runValidators<Row extends BlockRow>(
  ctx: Pick<BuilderContext, 'blocks' | 'config'>,
  rows: Row[],
  skip: readonly string[] = [],
): Promise<Row[]> {
  const postprocessors = new Set(
    ctx.config.postprocessors.map((entry) => (typeof entry === 'string' ? entry : entry.name)),
  );
  let kept = rows;
  for (const { name } of ctx.config.blocks) {
    const block = ctx.blocks[name];
    if (block?.role !== 'validator') continue;
    if (postprocessors.has(name) || skip.includes(name)) continue;
    if (kept.length === 0) break;
    kept = (await block(kept)) as Row[];
  }
  return kept;
}
