import { summarizeSettingsFromEnv } from '../../../action-groups/summarize/settings';

describe('Function: summarizeSettingsFromEnv', () => {
  const saved = { ...process.env };
  const VALID = {
    CONVERSATIONS_TABLE_NAME: 'Conversations',
    MAX_OUTPUT_TOKENS: '1024',
    MODEL_ID: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    GUARDRAIL_ID: 'gr123abc',
    GUARDRAIL_VERSION: '3',
  };

  beforeEach(() => {
    Object.assign(process.env, VALID);
  });

  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the table, the output limit, the model and the guardrail', () => {
    expect(summarizeSettingsFromEnv()).toEqual({
      conversationsTable: 'Conversations',
      maxOutputTokens: 1024,
      modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      guardrail: { id: 'gr123abc', version: '3' },
    });
  });

  it.each(Object.keys(VALID))('fails fast naming %s when it is missing', (name) => {
    // Prepare
    delete process.env[name];

    // Act & Assess
    expect(() => summarizeSettingsFromEnv()).toThrow(`Missing environment variable ${name}`);
  });

  it.each(['0', '-5', '1.5', 'lots'])('rejects MAX_OUTPUT_TOKENS=%s', (value) => {
    process.env.MAX_OUTPUT_TOKENS = value;
    expect(() => summarizeSettingsFromEnv()).toThrow(
      `Environment variable MAX_OUTPUT_TOKENS must be a positive integer (got "${value}").`,
    );
  });
});
