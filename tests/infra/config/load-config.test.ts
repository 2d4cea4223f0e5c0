import fc from 'fast-check';
import { ConfigError } from '../../../infra/config/config-error';
import { loadStageConfig } from '../../../infra/config/load-config';
import { LOG_RETENTION_DAYS } from '../../../infra/config/stage-config';

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
