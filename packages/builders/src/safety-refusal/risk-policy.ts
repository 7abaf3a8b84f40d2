import path from 'node:path';
import { DgtError, readYamlSource } from '@dgt/core';
import { z } from 'zod';

/** One risk of a risk-policy file (DiGiT's `schema_v0.1`). */
const riskSchema = z.looseObject({
  risk: z.string().trim().min(1),
  risk_id: z.union([z.string(), z.number()]).optional(),
  description: z.string().trim().default(''),
  reason_denial: z.string().trim().optional(),
  short_reply_type: z.string().trim().optional(),
  exception: z.string().trim().optional(),
  policy: z
    .looseObject({
      reply_cannot_contain: z.array(z.string().trim()).nullish(),
      reply_may_contain: z.array(z.string().trim()).nullish(),
    })
    .optional(),
});

/** A risk-policy file: a group of risks with what replies may and may not contain. */
const policyFileSchema = z.looseObject({
  risk_group: z.string().trim().min(1),
  description: z.string().trim().default(''),
  policy_version: z.union([z.string(), z.number()]).optional(),
  risks: z.array(riskSchema).min(1),
});

/** The risk a task generates data for, with its group. */
export type RiskPolicy = {
  group: string;
  groupDescription: string;
  risk: string;
  riskId?: string;
  description: string;
  reasonDenial?: string;
  replyType?: string;
  cannotContain: string[];
  mayContain: string[];
};

/**
 * A task's `risk_policy:` key: the policy (a file, or its content brought in with
 * `include: {risk_policy: {policy: policy.yaml}}`, resolved beside the task file) and the risk
 * of it to use.
 */
export const riskPolicyKeySchema = z
  .looseObject({
    /** The risk-policy YAML (DiGiT's `schema_v0.1` shape), relative to the working directory. */
    path: z.string().min(1).optional(),
    /** The policy's content itself, instead of `path`. */
    policy: z.record(z.string(), z.unknown()).optional(),
    /** The `risk` of the policy's `risks` list this task is about. */
    risk: z.string().min(1),
  })
  .refine((key) => key.path !== undefined || key.policy !== undefined, {
    message: 'give the policy file (risk_policy: {path: policy.yaml, risk: …})',
    path: ['path'],
  });

/**
 * Reads the risk a task names from its policy file. A missing file, a file not in the policy
 * shape or a risk it does not list is a {@link DgtError} naming the file and the risks it has.
 */
export async function loadRiskPolicy(
  key: z.infer<typeof riskPolicyKeySchema>,
  taskName: string,
): Promise<RiskPolicy> {
  const file = key.path ? path.resolve(key.path) : `task "${taskName}" risk_policy.policy`;
  const source = key.path ? await readYamlSource(file) : { data: key.policy, where: () => file };
  const parsed = policyFileSchema.safeParse(source.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DgtError(
      'INVALID_TASK',
      `${source.where(issue.path as PropertyKey[])}: risk policy of task "${taskName}": ${issue.path.join('.') || 'file'}: ${issue.message}. A policy file has risk_group, description and risks: [{risk, description, policy: {reply_cannot_contain, reply_may_contain}}].`,
    );
  }
  const policy = parsed.data;
  const risk = policy.risks.find((entry) => entry.risk === key.risk.trim());
  if (!risk) {
    throw new DgtError(
      'INVALID_TASK',
      `${file}: task "${taskName}" asks for risk "${key.risk}", which this policy does not list; it has ${policy.risks.map((r) => `"${r.risk}"`).join(', ')}.`,
    );
  }
  return {
    group: policy.risk_group,
    groupDescription: policy.description,
    risk: risk.risk,
    ...(risk.risk_id !== undefined ? { riskId: String(risk.risk_id) } : {}),
    description: risk.description,
    ...(risk.reason_denial ? { reasonDenial: risk.reason_denial } : {}),
    ...(risk.short_reply_type ? { replyType: risk.short_reply_type } : {}),
    cannotContain: risk.policy?.reply_cannot_contain ?? [],
    mayContain: risk.policy?.reply_may_contain ?? [],
  };
}
