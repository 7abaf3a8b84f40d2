import {
  type BlockCallContext,
  type BlockDefinition,
  type BlockInitContext,
  type BlockV1,
  brandBlock,
} from '@dgt/core';

/** Test helper: validates a config with the block's schema and creates the block. */
export async function makeBlock(
  definition: BlockDefinition,
  config: Record<string, unknown>,
  init: Partial<BlockInitContext> = {},
): Promise<BlockV1> {
  const parsed = definition.configSchema.parse({ name: 'check', type: 'test', ...config });
  const name = String(config.name ?? 'check');
  const type = String(config.type ?? 'test');
  const made = await definition.create(
    { ...parsed, name, type },
    { outputDir: '.', env: {}, ...init },
  );
  return brandBlock(made, { role: definition.role, type, name });
}

/** Test helper: a call context whose tasks keep state under `dir`. */
export function callContext(dir?: string): BlockCallContext {
  return {
    emit: () => undefined,
    ...(dir ? { taskDir: (task: string) => `${dir}/${task}` } : {}),
  };
}
