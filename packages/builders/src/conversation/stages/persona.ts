import path from 'node:path';
import { DgtError, openDatastore, type StoredRecord } from '@dgt/core';
import { z } from 'zod';
import { defineConversationStage } from '../stage.js';
import type { Conversation } from '../steps.js';

const TRAITS: Record<string, [low: string, high: string]> = {
  openness: ['conventional', 'curious'],
  conscientiousness: ['easy-going', 'methodical'],
  extraversion: ['reserved', 'expressive'],
  agreeableness: ['challenging', 'cooperative'],
  neuroticism: ['calm', 'anxious'],
};

function personality(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  const words: string[] = [];
  for (const [trait, [low, high]] of Object.entries(TRAITS)) {
    const score = (value as Record<string, unknown>)[trait];
    if (typeof score !== 'number') continue;
    if (score >= 0.3) words.push(score >= 0.7 ? `very ${high}` : high);
    else if (score <= -0.3) words.push(score <= -0.7 ? `very ${low}` : low);
  }
  return words.join(', ');
}

/** A persona record as one sentence per field, the way the user stage shows it to the LM. */
export function describePersona(persona: StoredRecord): string {
  const parts: string[] = [];
  const role = persona.role ?? persona.persona_role;
  if (role) parts.push(`Role: ${role}.`);
  if (persona.expertise) parts.push(`Expertise: ${persona.expertise}.`);
  if (persona.domain) parts.push(`Interests: ${persona.domain}.`);
  if (Array.isArray(persona.goals) && persona.goals.length)
    parts.push(`Goals: ${persona.goals.join('; ')}.`);
  const traits = personality(persona.personality);
  if (traits) parts.push(`Personality: ${traits}.`);
  if (persona.style_override) parts.push(`Style: ${persona.style_override}.`);
  if (typeof persona.description === 'string') parts.push(persona.description);
  return parts.join(' ');
}

/** Config of `sample/persona`. */
export const personaStageConfig = z.looseObject({
  /** Where the personas are: a datastore mapping (`{type, data_path}`), one record each. */
  persona_store: z.looseObject({ type: z.string().optional(), data_path: z.string() }),
  /** Whose persona it is (default `user`). */
  target: z.enum(['user', 'assistant']).default('user'),
});

/**
 * `sample/persona`: gives the conversation's user a persona drawn at random from a datastore of
 * personas (DiGiT's fields: `role`, `expertise`, `domain`, `goals`, `personality` on the Big
 * Five, `style_override`). Appends a `persona` step carrying those fields and their text.
 */
export const personaStage = defineConversationStage({
  name: 'sample/persona',
  description: 'Draws the user persona at random from a datastore of personas.',
  configSchema: personaStageConfig,
  create(config, init) {
    const personas = init.shared(`personas:${JSON.stringify(config.persona_store)}`, async () => {
      const where = `task "${init.task.name}", sample/persona persona_store`;
      const store = await openDatastore(config.persona_store, {
        outputDir: init.task.outputDir,
        storeName: 'personas',
        baseDir: init.task.baseDir,
      }).catch((error: unknown) => {
        throw new DgtError(
          'INVALID_TASK',
          `${where}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      if (!(await store.exists())) {
        throw new DgtError(
          'INVALID_TASK',
          `${where}: ${path.resolve(init.task.baseDir, config.persona_store.data_path)} does not exist. Point data_path at a file of persona records.`,
        );
      }
      const records: StoredRecord[] = [];
      for await (const record of store.read()) records.push(record);
      await store.close();
      if (records.length === 0)
        throw new DgtError('INVALID_TASK', `${where}: the persona file holds no records.`);
      return records;
    });
    return {
      async run(conversations, ctx) {
        const all = await personas;
        const out: Conversation[] = [];
        for (const conversation of conversations) {
          const persona = ctx.random.pick(all);
          const { role, ...rest } = persona;
          conversation.steps.push({
            ...rest,
            role: 'persona',
            content: describePersona(persona),
            stage_name: 'sample/persona',
            scores: {},
            metadata: {},
            target: config.target,
            persona_role: role ?? null,
          });
          out.push(conversation);
        }
        return out;
      },
    };
  },
});
