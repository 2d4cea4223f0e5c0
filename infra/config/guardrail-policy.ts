import * as fs from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError, parseOrThrow } from './config-error';

// Limits and enums follow the Bedrock CreateGuardrail API model (guardrails.md §1). The alpha L2 checks less
// (e.g. topic definitions up to 1000 chars), so the service limits are enforced here, at synth, with the key.

/** Guardrail name: 1–50 characters of `[0-9a-zA-Z-_]`. */
export const GUARDRAIL_NAME_PATTERN = /^[0-9a-zA-Z_-]{1,50}$/;
/** Denied-topic name: 1–100 characters of `[0-9a-zA-Z-_ !?.]`. */
export const TOPIC_NAME_PATTERN = /^[0-9a-zA-Z_ !?.-]{1,100}$/;

export const CONTENT_FILTER_TYPES = [
  'SEXUAL',
  'VIOLENCE',
  'HATE',
  'INSULTS',
  'MISCONDUCT',
  'PROMPT_ATTACK',
] as const;
export const FILTER_STRENGTHS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
export const MODALITIES = ['TEXT', 'IMAGE'] as const;
export const GROUNDING_TYPES = ['GROUNDING', 'RELEVANCE'] as const;
export const MANAGED_WORD_LISTS = ['PROFANITY'] as const;

/** The service's flat PII entity enum (grouped by the alpha into General/Finance/IT/US/CA/UK classes). */
export const PII_ENTITY_TYPES = [
  // General
  'ADDRESS',
  'AGE',
  'NAME',
  'EMAIL',
  'PHONE',
  'USERNAME',
  'PASSWORD',
  'DRIVER_ID',
  'LICENSE_PLATE',
  'VEHICLE_IDENTIFICATION_NUMBER',
  // Finance
  'CREDIT_DEBIT_CARD_CVV',
  'CREDIT_DEBIT_CARD_EXPIRY',
  'CREDIT_DEBIT_CARD_NUMBER',
  'PIN',
  'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  'SWIFT_CODE',
  // Information technology
  'IP_ADDRESS',
  'MAC_ADDRESS',
  'URL',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  // USA
  'US_BANK_ACCOUNT_NUMBER',
  'US_BANK_ROUTING_NUMBER',
  'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER',
  'US_PASSPORT_NUMBER',
  'US_SOCIAL_SECURITY_NUMBER',
  // Canada
  'CA_HEALTH_NUMBER',
  'CA_SOCIAL_INSURANCE_NUMBER',
  // UK
  'UK_NATIONAL_HEALTH_SERVICE_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
] as const;
export type PiiEntityType = (typeof PII_ENTITY_TYPES)[number];

/** PII types security checklist item 21 requires in every KASS guardrail. */
export const REQUIRED_PII_TYPES: readonly PiiEntityType[] = [
  'EMAIL',
  'PHONE',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
];

const STRENGTH_RANK: Record<(typeof FILTER_STRENGTHS)[number], number> = {
  NONE: 0,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
};

/** An enum whose error lists the allowed values (the default zod message does not say which key is wrong). */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`),
  });

/** A string of `min`–`max` characters, with a message that states the limit. */
const text = (min: number, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(min, `must be ${min}-${max} characters`)
    .max(max, `must be ${min}-${max} characters`);

/** Adds an issue for every item whose `key` repeats an earlier one (the service rejects duplicates). */
function uniqueBy<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} '${k}'` });
      seen.add(k);
    });
  };
}

const blockOrNone = oneOf(['BLOCK', 'NONE']);
const piiAction = oneOf(['BLOCK', 'ANONYMIZE', 'NONE']);
const modalities = z
  .array(oneOf(MODALITIES))
  .min(1, 'must list 1-2 modalities')
  .max(2, 'must list 1-2 modalities')
  .superRefine(uniqueBy((m) => m, 'modality'));

/** Per-direction overrides the service accepts on most filters. */
const directional = <A extends z.ZodType>(action: A) => ({
  inputAction: action.optional(),
  outputAction: action.optional(),
  inputEnabled: z.boolean().optional(),
  outputEnabled: z.boolean().optional(),
});

const contentFilter = z
  .strictObject({
    type: oneOf(CONTENT_FILTER_TYPES),
    inputStrength: oneOf(FILTER_STRENGTHS),
    outputStrength: oneOf(FILTER_STRENGTHS),
    inputModalities: modalities.optional(),
    outputModalities: modalities.optional(),
    ...directional(blockOrNone),
  })
  .superRefine((filter, ctx) => {
    if (filter.type !== 'PROMPT_ATTACK') return;
    // PROMPT_ATTACK only evaluates user input; the service expects NONE on output.
    if (filter.outputStrength !== 'NONE') {
      ctx.addIssue({ code: 'custom', path: ['outputStrength'], message: 'must be NONE for PROMPT_ATTACK' });
    }
    if (STRENGTH_RANK[filter.inputStrength] < STRENGTH_RANK.MEDIUM) {
      ctx.addIssue({
        code: 'custom',
        path: ['inputStrength'],
        message: 'must be MEDIUM or HIGH for PROMPT_ATTACK (security checklist 21)',
      });
    }
  });

const deniedTopic = z.strictObject({
  name: text(1, 100).regex(TOPIC_NAME_PATTERN, 'must use only letters, digits, spaces and - _ ! ? .'),
  definition: text(1, 200),
  // The service accepts 0-5 examples; the alpha's Topic.custom() requires at least one (and they help detection).
  examples: z.array(text(1, 100)).min(1, 'must have 1-5 examples').max(5, 'must have 1-5 examples'),
  ...directional(blockOrNone),
});

const word = z.strictObject({ text: text(1, 100), ...directional(blockOrNone) });

const managedWordList = z.strictObject({ type: oneOf(MANAGED_WORD_LISTS), ...directional(blockOrNone) });

const piiEntity = z.strictObject({
  type: oneOf(PII_ENTITY_TYPES),
  action: piiAction,
  ...directional(piiAction),
});

const regex = z.strictObject({
  name: text(1, 100),
  description: text(1, 1000).optional(),
  pattern: text(1, 500).superRefine((pattern, ctx) => {
    // The service has its own engine; compiling here catches typos (unbalanced groups, bad escapes) at synth.
    try {
      new RegExp(pattern);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `must compile as a regular expression (${(error as Error).message})`,
      });
    }
  }),
  action: piiAction,
  ...directional(piiAction),
});

const groundingFilter = z.strictObject({
  type: oneOf(GROUNDING_TYPES),
  /** Responses scoring below the threshold are blocked; 0.99 is the highest the service accepts. */
  threshold: z.number({ error: 'must be a number' }).min(0, 'must be 0-0.99').max(0.99, 'must be 0-0.99'),
  action: blockOrNone.optional(),
  enabled: z.boolean().optional(),
});

export const GuardrailPolicySchema = z.strictObject({
  /** Guardrail name (also the physical name unless the construct is given another). */
  name: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(GUARDRAIL_NAME_PATTERN, 'must be 1-50 letters, digits, - or _'),
  description: text(1, 200).optional(),
  /** Shown when a prompt is blocked; must not reveal the policy. */
  blockedInputMessaging: text(1, 500),
  /** Shown when a response is blocked (plural "Outputs", as the service spells it). */
  blockedOutputsMessaging: text(1, 500),
  contentFilters: z
    .array(contentFilter)
    .min(1, 'must have 1-6 filters')
    .max(6, 'must have 1-6 filters')
    .superRefine(uniqueBy((f) => f.type, 'content filter type'))
    .refine((filters) => filters.some((f) => f.type === 'PROMPT_ATTACK'), {
      message: 'must include PROMPT_ATTACK (security checklist 21)',
    }),
  deniedTopics: z
    .array(deniedTopic)
    .min(1, 'must have 1-30 topics (omit the key for none)')
    .max(30, 'must have 1-30 topics (omit the key for none)')
    .superRefine(uniqueBy((t) => t.name, 'topic name'))
    .optional(),
  words: z
    .array(word)
    .min(1, 'must have 1-10000 words (omit the key for none)')
    .max(10000, 'must have 1-10000 words (omit the key for none)')
    .optional(),
  managedWordLists: z
    .array(managedWordList)
    .min(1, 'must list PROFANITY (omit the key for none)')
    .superRefine(uniqueBy((l) => l.type, 'managed word list'))
    .optional(),
  piiEntities: z
    .array(piiEntity)
    .superRefine(uniqueBy((p) => p.type, 'PII type'))
    .refine((entities) => REQUIRED_PII_TYPES.every((t) => entities.some((e) => e.type === t)), {
      message: `must include ${REQUIRED_PII_TYPES.join(', ')} (security checklist 21)`,
    }),
  regexes: z
    .array(regex)
    .min(1, 'must have 1-10 regexes (omit the key for none)')
    .max(10, 'must have 1-10 regexes (omit the key for none)')
    .superRefine(uniqueBy((r) => r.name, 'regex name'))
    .optional(),
  contextualGrounding: z
    .array(groundingFilter)
    .min(1, 'must have GROUNDING and/or RELEVANCE (omit the key for none)')
    .superRefine(uniqueBy((g) => g.type, 'grounding filter type'))
    .optional(),
});

export type GuardrailPolicy = z.infer<typeof GuardrailPolicySchema>;

/**
 * Reads, parses and validates a guardrail policy file. Any problem (unreadable file, YAML syntax, a bad value)
 * throws a ConfigError whose source is `filePath` and whose problems name the key and the reason.
 */
export function loadGuardrailPolicy(filePath: string): GuardrailPolicy {
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(filePath, 'utf8'));
  } catch (error) {
    const reason = error instanceof YAMLParseError ? 'is not valid YAML' : 'cannot be read';
    throw new ConfigError(filePath, [`(file): ${reason}: ${(error as Error).message}`]);
  }
  return parseOrThrow(GuardrailPolicySchema, raw, filePath);
}
