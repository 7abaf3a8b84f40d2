import type { BlockCallContext, BlockDefinition, BlockInitContext, BlockV1 } from '@dgt/core';

/** Test helper: validates a config with the block's schema and creates the block. */
export async function makeBlock(
  definition: BlockDefinition,
  config: Record<string, unknown>,
  init: Partial<BlockInitContext> = {},
): Promise<BlockV1> {
  const parsed = definition.configSchema.parse({ name: 'check', type: 'test', ...config });
  return definition.create(
    { ...parsed, name: String(config.name ?? 'check'), type: String(config.type ?? 'test') },
    { outputDir: '.', env: {}, ...init },
  );
}

/** Test helper: a call context whose tasks keep state under `dir`. */
export function callContext(dir?: string): BlockCallContext {
  return {
    emit: () => undefined,
    ...(dir ? { taskDir: (task: string) => `${dir}/${task}` } : {}),
  };
}
