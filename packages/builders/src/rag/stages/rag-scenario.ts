import { DgtError } from '@dgt/core';
import { z } from 'zod';
import { defineConversationStage } from '../../conversation/stage.js';
import { stagePrompt } from '../../conversation/stages/lm-call.js';
import { askScenario, exampleScenario } from '../../conversation/stages/scenario.js';
import type { Conversation } from '../../conversation/steps.js';
import { pickByWeight } from '../../shared/weighted-pick.js';
import { documentRecord, renderDocuments } from '../../tools/documents.js';
import { randomSamplerConfig, sampleDocuments } from '../../tools/random-sampler.js';
import { taskTools } from '../task-tools.js';

/** Config of `lm/scenario/rag`. */
export const ragScenarioConfig = z.looseObject({
  generator: z.string().default('generator'),
  /** Where the conversation's documents come from; one sampler is drawn per conversation by weight. */
  document_samplers: z.array(randomSamplerConfig).min(1, 'give at least one document sampler'),
  /** Documents per conversation (default 3). */
  k: z.int().positive().default(3),
  /** Example scenarios (from seeds and earlier outputs) the prompt shows (default 2). */
  num_icl_examples: z.int().min(0).default(2),
  /** Characters of each document the scenario prompt shows (default 3000). */
  max_document_chars: z.int().positive().default(3000),
});

/**
 * `lm/scenario/rag`: draws the conversation's documents with one of its `document_samplers`
 * (chosen by weight), then asks the LM for a scenario those documents can serve. Appends a
 * `rag/scenario` step whose `documents` the later stages and the RAG formatter use.
 */
export const ragScenarioStage = defineConversationStage({
  name: 'lm/scenario/rag',
  description:
    'Samples the documents of the conversation and has the LM write a scenario for them.',
  configSchema: ragScenarioConfig,
  create(config, init) {
    const lm = init.block(config.generator, 'generator');
    const tools = taskTools(init);
    const where = `task "${init.task.name}", lm/scenario/rag`;
    return {
      async run(conversations, ctx) {
        const { engine } = await tools;
        const template = await stagePrompt('rag/scenario.txt');
        const out: Conversation[] = [];
        for (const conversation of conversations) {
          const sampler = pickByWeight(config.document_samplers, ctx.random, (s) => s.weight);
          const documents = (
            await sampleDocuments(
              sampler,
              engine(sampler.engine, `${where}, document_samplers`),
              config.k,
              ctx.random,
              where,
            )
          ).map(documentRecord);
          if (documents.length === 0)
            throw new DgtError('INVALID_TASK', `${where}: the sampler found no documents.`);
          const examples = ctx.examples
            .map(exampleScenario)
            .filter((s): s is string => s !== undefined);
          const scenario = await askScenario(
            lm,
            conversation,
            template.render({
              task_description: init.task.config.task_description,
              documents: renderDocuments(documents, config.max_document_chars),
              examples: ctx.random.sample(examples, config.num_icl_examples),
            }),
            ctx,
          );
          if (!scenario) continue;
          conversation.steps.push({
            role: 'rag/scenario',
            content: scenario,
            stage_name: 'lm/scenario/rag',
            scores: {},
            metadata: { sampler: sampler.type, engine: sampler.engine },
            scenario_family_id: conversation.conversation_id,
            documents,
          });
          out.push(conversation);
        }
        return out;
      },
    };
  },
});
