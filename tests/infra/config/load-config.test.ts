import fc from 'fast-check';
import { ConfigError } from '../../../infra/config/config-error';
import { loadStageConfig, mergeOverrides, parseConfigOverrides } from '../../../infra/config/load-config';
import { LOG_RETENTION_DAYS, StageConfigSchema } from '../../../infra/config/stage-config';
import { STAGES } from '../../../infra/config/stages';

describe('Function: loadStageConfig', () => {
  it.each(['dev', 'prod', 'local'])('validates the shipped %s stage', (stage) => {
    // Act
    const config = loadStageConfig(stage);
    // Assess
    expect(config.stage).toBe(stage);
    expect(config.agent.model).toBe('claude-sonnet-4-5');
  });

  it('retains data in prod and not in dev', () => {
    expect(loadStageConfig('prod').retainData).toBe(true);
    expect(loadStageConfig('dev').retainData).toBe(false);
  });

  it('names the known stages when the stage is unknown', () => {
    expect(() => loadStageConfig('qa')).toThrow(/unknown stage 'qa'; known stages: dev, prod, local/);
  });

  it.each([
    {
      name: 'legacy-style model id',
      overrides: { agent: { model: 'anthropic.claude-3-5-sonnet-20241022-v2:0' } },
      key: 'agent.model',
    },
    {
      name: 'idle TTL above the alpha limit',
      overrides: { agent: { idleSessionTtlMinutes: 90 } },
      key: 'agent.idleSessionTtlMinutes',
    },
    {
      name: 'memory days above 365',
      overrides: { agent: { memory: { storageDays: 400 } } },
      key: 'agent.memory.storageDays',
    },
    { name: 'unsupported log retention', overrides: { logRetentionDays: 10 }, key: 'logRetentionDays' },
    {
      name: 'lambda memory too small',
      overrides: { lambda: { defaults: { memoryMb: 64 } } },
      key: 'lambda.defaults.memoryMb',
    },
    {
      name: 'http GitLab URL',
      overrides: { tools: { codeReview: { gitlabBaseUrl: 'http://gitlab.local' } } },
      key: 'tools.codeReview.gitlabBaseUrl',
    },
    {
      name: 'bad notification email',
      overrides: { tools: { report: { notificationEmails: ['ops'] } } },
      key: 'tools.report.notificationEmails.0',
    },
    { name: 'unknown key (typo)', overrides: { agent: { idleSessionTTL: 5 } }, key: 'agent' },
    { name: 'bad account id', overrides: { env: { account: '12345' } }, key: 'env.account' },
  ])('fails naming the key: $name', ({ overrides, key }) => {
    // Act
    let error: unknown;
    try {
      loadStageConfig('dev', overrides);
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
    expect((error as Error).message).toContain("configuration of stage 'dev'");
  });

  it('accepts exactly the CloudWatch retention periods (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), (days) => {
        const valid = (LOG_RETENTION_DAYS as readonly number[]).includes(days);
        const attempt = () => loadStageConfig('dev', { logRetentionDays: days });
        if (valid) expect(attempt).not.toThrow();
        else expect(attempt).toThrow(ConfigError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Function: loadStageConfig (overrides merge into the stage)', () => {
  it.each(Object.keys(STAGES))('keeps the %s stage as it is when nothing is overridden', (stage) => {
    // A stage's validated values are valid input again: what overrides merge into.
    const values = StageConfigSchema.parse(STAGES[stage]);
    expect(StageConfigSchema.parse(values)).toEqual(values);
    expect(loadStageConfig(stage, {})).toEqual(values);
  });

  it("merges a partial chunking override into the stage's chunking (strategy and overlap kept)", () => {
    const config = loadStageConfig('dev', { knowledgeBase: { chunking: { maxTokens: 300 } } });
    expect(config.knowledgeBase.chunking).toEqual({
      strategy: 'FIXED_SIZE',
      maxTokens: 300,
      overlapPercentage: 20,
    });
    expect(config.knowledgeBase.standbyReplicas).toBe(false);
  });

  it('replaces the chunking when the override names another strategy', () => {
    const chunking = {
      strategy: 'SEMANTIC',
      maxTokens: 300,
      bufferSize: 0,
      breakpointPercentileThreshold: 95,
    };
    expect(loadStageConfig('dev', { knowledgeBase: { chunking } }).knowledgeBase.chunking).toEqual(chunking);
  });

  it("keeps prod's own values beside an override (prod memory stays on)", () => {
    const config = loadStageConfig('prod', { agent: { model: 'claude-haiku-4-5' } });
    expect(config.agent.model).toBe('claude-haiku-4-5');
    expect(config.agent.memory.enabled).toBe(true);
    expect(config.agent.idleSessionTtlMinutes).toBe(30);
  });

  it('replaces arrays instead of merging them', () => {
    const config = loadStageConfig('dev', { alarms: { emails: ['ops@example.com'] } });
    expect(config.alarms.emails).toEqual(['ops@example.com']);
    expect(loadStageConfig('dev', { chatApi: { apiKeys: ['web-app'] } }).chatApi.apiKeys).toEqual([
      { name: 'web-app', app: 'web-app' },
    ]);
  });

  it('still names the key of a bad override', () => {
    expect(() => loadStageConfig('dev', { knowledgeBase: { chunking: { maxTokens: 9000 } } })).toThrow(
      /knowledgeBase\.chunking\.maxTokens: maxTokens must be at most 8192/,
    );
  });
});

describe('Function: mergeOverrides', () => {
  it('merges objects key by key and lets arrays and scalars replace (property)', () => {
    // A different `strategy` replaces the whole object (tested above with chunking).
    const key = fc.string().filter((k) => k !== 'strategy');
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue()), fc.dictionary(key, fc.jsonValue()), (a, b) => {
        const merged = mergeOverrides(a, b) as Record<string, unknown>;
        for (const key of Object.keys(b)) {
          const value = b[key];
          if (typeof value !== 'object' || value === null || Array.isArray(value))
            expect(merged[key]).toEqual(value);
        }
        for (const key of Object.keys(a).filter((k) => !(k in b))) expect(merged[key]).toEqual(a[key]);
      }),
    );
  });
});

describe('Function: loadStageConfig (hostile keys)', () => {
  it('names a __proto__ key as unknown instead of letting it change the object', () => {
    const overrides = parseConfigOverrides('{"__proto__":{"retainData":true},"agent":{"__proto__":{"x":1}}}');
    let message = '';
    try {
      loadStageConfig('dev', overrides);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Unrecognized key.*__proto__/);
    expect(({} as Record<string, unknown>).retainData).toBeUndefined();
  });
});

describe('Function: parseConfigOverrides', () => {
  it('parses JSON text and passes objects through', () => {
    expect(parseConfigOverrides('{"agent":{"model":"claude-haiku-4-5"}}')).toEqual({
      agent: { model: 'claude-haiku-4-5' },
    });
    expect(parseConfigOverrides({ agent: {} })).toEqual({ agent: {} });
    expect(parseConfigOverrides(undefined)).toEqual({});
  });

  it('names the key and the JSON problem for malformed JSON, with the quoting hint', () => {
    let error: unknown;
    try {
      parseConfigOverrides('{agent:{model:claude-haiku-4-5}}');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^Invalid -c kass:config:\n {2}- kass:config: not valid JSON \(/,
    );
    expect((error as Error).message).toContain('-c \'kass:config={"agent":{"model":"claude-haiku-4-5"}}\'');
  });

  it.each(['[1]', '"text"', '3', 'null'])('refuses JSON that is not an object: %s', (text) => {
    expect(() => parseConfigOverrides(text)).toThrow(/kass:config: must be a JSON object of settings/);
  });
});
