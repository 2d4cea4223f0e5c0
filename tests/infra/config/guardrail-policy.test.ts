import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../../infra/config/config-error';
import {
  type GuardrailPolicy,
  GuardrailPolicySchema,
  loadGuardrailPolicy,
} from '../../../infra/config/guardrail-policy';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const SHIPPED_POLICY = path.join(REPO_ROOT, 'guardrails', 'policy.yaml');
const SHIPPED_PROMPTS = path.join(REPO_ROOT, 'guardrails', 'prompts.yaml');

/** A small valid policy; each invalid case changes one value, so the expected key path is stable. */
const VALID = {
  name: 'test-guardrail',
  description: 'A guardrail for tests.',
  blockedInputMessaging: 'Sorry, I cannot help with that.',
  blockedOutputsMessaging: 'Sorry, I cannot answer that.',
  contentFilters: [
    { type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' },
    { type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' },
  ],
  deniedTopics: [{ name: 'Legal advice', definition: 'Legal opinions.', examples: ['Can I sue?'] }],
  managedWordLists: [{ type: 'PROFANITY' }],
  piiEntities: [
    { type: 'EMAIL', action: 'ANONYMIZE' },
    { type: 'PHONE', action: 'ANONYMIZE' },
    { type: 'AWS_ACCESS_KEY', action: 'BLOCK' },
    { type: 'AWS_SECRET_KEY', action: 'BLOCK' },
  ],
  regexes: [{ name: 'gitlab-token', pattern: 'glpat-[0-9A-Za-z_-]{20,}', action: 'BLOCK' }],
  contextualGrounding: [{ type: 'GROUNDING', threshold: 0.7, action: 'BLOCK' }],
};

type Path = readonly (string | number)[];

/** A copy of VALID with the value at `at` replaced (or removed when `value` is undefined). */
function withValue(at: Path, value: unknown): unknown {
  const copy: unknown = structuredClone(VALID);
  let node = copy as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at[at.length - 1] as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

describe('Function: loadGuardrailPolicy', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-policy-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `content` as a policy file and returns the ConfigError loading it throws. */
  function loadError(content: string): { error: ConfigError; file: string } {
    const file = path.join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, content);
    try {
      loadGuardrailPolicy(file);
    } catch (error) {
      if (error instanceof ConfigError) return { error, file };
      throw error;
    }
    throw new Error(`expected ${file} to be rejected`);
  }

  it('validates the shipped guardrails/policy.yaml', () => {
    // Act
    const policy = loadGuardrailPolicy(SHIPPED_POLICY);
    // Assess
    expect(policy.name).toBe('kass-guardrail');
    expect(policy.contentFilters).toContainEqual({
      type: 'PROMPT_ATTACK',
      inputStrength: 'HIGH',
      outputStrength: 'NONE',
    });
    expect(policy.piiEntities.map((p) => p.type)).toEqual(
      expect.arrayContaining(['EMAIL', 'PHONE', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY']),
    );
    expect(policy.regexes?.map((r) => r.pattern)).toContain('glpat-[0-9A-Za-z_-]{20,}');
    expect(policy.managedWordLists).toEqual([{ type: 'PROFANITY' }]);
    expect(policy.contextualGrounding?.map((g) => [g.type, g.threshold])).toEqual([
      ['GROUNDING', 0.7],
      ['RELEVANCE', 0.7],
    ]);
  });

  it('accepts the valid fixture (the invalid cases below differ from it in one value)', () => {
    // Prepare
    const file = path.join(dir, 'valid.yaml');
    fs.writeFileSync(file, stringify(VALID));
    // Act
    const policy: GuardrailPolicy = loadGuardrailPolicy(file);
    // Assess
    expect(policy.deniedTopics?.[0]?.examples).toEqual(['Can I sue?']);
  });

  const tooLong = (n: number) => 'x'.repeat(n);
  it.each([
    {
      name: 'PROMPT_ATTACK output strength not NONE',
      at: ['contentFilters', 0, 'outputStrength'],
      value: 'LOW',
    },
    {
      name: 'PROMPT_ATTACK input strength below MEDIUM',
      at: ['contentFilters', 0, 'inputStrength'],
      value: 'LOW',
    },
    { name: 'unknown filter strength', at: ['contentFilters', 1, 'inputStrength'], value: 'EXTREME' },
    { name: 'unknown content filter type', at: ['contentFilters', 1, 'type'], value: 'SPAM' },
    { name: 'ANONYMIZE on a content filter', at: ['contentFilters', 1, 'inputAction'], value: 'ANONYMIZE' },
    {
      name: 'unknown modality',
      at: ['contentFilters', 1, 'inputModalities'],
      value: ['AUDIO'],
      key: 'contentFilters.1.inputModalities.0',
    },
    {
      name: 'duplicate content filter type',
      at: ['contentFilters', 2],
      value: { type: 'HATE', inputStrength: 'LOW', outputStrength: 'LOW' },
      key: 'contentFilters.2',
    },
    {
      name: 'no PROMPT_ATTACK filter',
      at: ['contentFilters'],
      value: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }],
    },
    {
      name: 'more than 6 content filters',
      at: ['contentFilters'],
      value: Array.from({ length: 7 }, () => VALID.contentFilters[0]),
    },
    { name: 'regex that does not compile', at: ['regexes', 0, 'pattern'], value: 'glpat-[0-9' },
    { name: 'regex pattern over 500 chars', at: ['regexes', 0, 'pattern'], value: tooLong(501) },
    {
      name: 'more than 10 regexes',
      at: ['regexes'],
      value: Array.from({ length: 11 }, (_, i) => ({ name: `r${i}`, pattern: 'x', action: 'BLOCK' })),
    },
    { name: 'regex action not an action', at: ['regexes', 0, 'action'], value: 'MASK' },
    { name: 'topic name with bad chars', at: ['deniedTopics', 0, 'name'], value: 'Legal/advice' },
    { name: 'topic definition over 200 chars', at: ['deniedTopics', 0, 'definition'], value: tooLong(201) },
    {
      name: 'too many topic examples',
      at: ['deniedTopics', 0, 'examples'],
      value: ['a', 'b', 'c', 'd', 'e', 'f'],
    },
    { name: 'a topic without examples', at: ['deniedTopics', 0, 'examples'], value: [] },
    { name: 'topic example over 100 chars', at: ['deniedTopics', 0, 'examples', 0], value: tooLong(101) },
    {
      name: 'more than 30 topics',
      at: ['deniedTopics'],
      value: Array.from({ length: 31 }, (_, i) => ({ name: `Topic ${i}`, definition: 'd', examples: ['e'] })),
    },
    { name: 'grounding threshold above 0.99', at: ['contextualGrounding', 0, 'threshold'], value: 1 },
    { name: 'negative grounding threshold', at: ['contextualGrounding', 0, 'threshold'], value: -0.1 },
    { name: 'unknown PII type', at: ['piiEntities', 0, 'type'], value: 'SSN' },
    { name: 'PII action not an action', at: ['piiEntities', 0, 'action'], value: 'REDACT' },
    {
      name: 'a required PII type missing',
      at: ['piiEntities'],
      value: [{ type: 'EMAIL', action: 'ANONYMIZE' }],
    },
    { name: 'unknown managed word list', at: ['managedWordLists', 0, 'type'], value: 'SLURS' },
    { name: 'name with a space', at: ['name'], value: 'kass guardrail' },
    { name: 'name over 50 chars', at: ['name'], value: tooLong(51) },
    { name: 'description over 200 chars', at: ['description'], value: tooLong(201) },
    { name: 'blocked output message over 500 chars', at: ['blockedOutputsMessaging'], value: tooLong(501) },
    { name: 'empty blocked input message', at: ['blockedInputMessaging'], value: '' },
    { name: 'missing blocked input message', at: ['blockedInputMessaging'], value: undefined },
  ] as { name: string; at: Path; value: unknown; key?: string }[])(
    'rejects $name, naming the key',
    ({ at, value, key }) => {
      // Prepare
      const expectedKey = key ?? at.join('.');
      // Act
      const { error, file } = loadError(stringify(withValue(at, value)));
      // Assess
      expect(error.source).toBe(file);
      expect(error.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^${expectedKey.replaceAll('.', '\\.')}: `)),
        ]),
      );
      expect(error.message).toContain(`${expectedKey}: `);
      expect(error.message).toContain(file);
    },
  );

  it('says why: the regex compile error and the PROMPT_ATTACK rule', () => {
    // Act
    const regexError = loadError(stringify(withValue(['regexes', 0, 'pattern'], '(unclosed'))).error;
    const attackError = loadError(
      stringify(withValue(['contentFilters', 0, 'outputStrength'], 'HIGH')),
    ).error;
    // Assess
    expect(regexError.problems).toContainEqual(
      expect.stringMatching(/^regexes\.0\.pattern: must compile .*Unterminated group/),
    );
    expect(attackError.problems).toContain('contentFilters.0.outputStrength: must be NONE for PROMPT_ATTACK');
  });

  it('rejects a misspelt key (blockedOutputMessaging) instead of ignoring it', () => {
    // Prepare
    const policy = withValue(['blockedOutputsMessaging'], undefined) as Record<string, unknown>;
    policy.blockedOutputMessaging = 'Sorry.';
    // Act
    const { error } = loadError(stringify(policy));
    // Assess
    expect(error.problems).toContainEqual(expect.stringMatching(/^blockedOutputsMessaging: is required/));
    expect(error.message).toContain('blockedOutputMessaging');
  });

  it('names the file when the YAML does not parse or the file is missing', () => {
    // Act
    const { error, file } = loadError('name: [unclosed\n');
    const missing = path.join(dir, 'missing.yaml');
    // Assess
    expect(error.source).toBe(file);
    expect(error.problems[0]).toMatch(/^\(file\): is not valid YAML/);
    expect(() => loadGuardrailPolicy(missing)).toThrow(ConfigError);
    expect(() => loadGuardrailPolicy(missing)).toThrow(/cannot be read/);
  });

  it('accepts a name iff it is 1-50 characters of letters, digits, - and _ (property)', () => {
    const allowed = new Set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_');
    const names = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: fc.constantFrom(...allowed), maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 10 }),
    );
    fc.assert(
      fc.property(names, (name) => {
        const expected = name.length >= 1 && name.length <= 50 && [...name].every((c) => allowed.has(c));
        const result = GuardrailPolicySchema.safeParse({ ...VALID, name });
        expect(result.success).toBe(expected);
        if (!result.success) expect(result.error.issues.map((i) => i.path.join('.'))).toEqual(['name']);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a grounding threshold iff it is within 0-0.99 (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 2, noNaN: true }), (threshold) => {
        const policy = { ...VALID, contextualGrounding: [{ type: 'GROUNDING', threshold }] };
        expect(GuardrailPolicySchema.safeParse(policy).success).toBe(threshold >= 0 && threshold <= 0.99);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Data: guardrails/prompts.yaml', () => {
  interface Prompt {
    id: string;
    source: 'INPUT' | 'OUTPUT';
    expects?: string;
    text: string;
  }
  const prompts = parse(fs.readFileSync(SHIPPED_PROMPTS, 'utf8')) as {
    mustBlock: Prompt[];
    mustPass: Prompt[];
  };
  const policy = loadGuardrailPolicy(SHIPPED_POLICY);
  const regexes = new Map((policy.regexes ?? []).map((r) => [r.name, new RegExp(r.pattern)]));

  it('has unique ids, a source and text for every prompt, and both lists non-empty', () => {
    // Prepare
    const all = [...prompts.mustBlock, ...prompts.mustPass];
    // Assess
    expect(prompts.mustBlock.length).toBeGreaterThan(0);
    expect(prompts.mustPass.length).toBeGreaterThan(0);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const p of all) {
      expect(['INPUT', 'OUTPUT']).toContain(p.source);
      expect(p.text.length).toBeGreaterThan(0);
    }
  });

  it('names only policies that exist in policy.yaml', () => {
    // Prepare
    const topics = new Set((policy.deniedTopics ?? []).map((t) => t.name));
    const pii = new Set(policy.piiEntities.map((p) => p.type as string));
    const filters = new Set(policy.contentFilters.map((f) => f.type as string));
    // Assess
    for (const { id, expects } of prompts.mustBlock) {
      const [kind, name = ''] = (expects ?? '').split(/:(.*)/);
      const known =
        (kind === 'regex' && regexes.has(name)) ||
        (kind === 'topic' && topics.has(name)) ||
        (kind === 'pii' && pii.has(name)) ||
        (kind === 'contentFilter' && filters.has(name));
      expect({ id, expects, known }).toEqual({ id, expects, known: true });
    }
  });

  it('has token prompts that the named regex matches, and benign prompts no regex matches', () => {
    // Prepare
    const tokenPrompts = prompts.mustBlock.filter((p) => p.expects?.startsWith('regex:'));
    // Assess
    expect(tokenPrompts.length).toBeGreaterThanOrEqual(regexes.size);
    for (const p of tokenPrompts) {
      expect({
        id: p.id,
        matches: regexes.get(p.expects?.slice('regex:'.length) ?? '')?.test(p.text),
      }).toEqual({
        id: p.id,
        matches: true,
      });
    }
    for (const p of prompts.mustPass) {
      expect({ id: p.id, matched: [...regexes].filter(([, re]) => re.test(p.text)).map(([n]) => n) }).toEqual(
        {
          id: p.id,
          matched: [],
        },
      );
    }
  });
});
