import { needs } from '../../../action-groups/summarize/needs';

/** The handler's cold-start read of its environment (`needs.ts`). */
const summarizeSettingsFromEnv = () => needs.env.read();

describe('Descriptor: summarize needs', () => {
  const saved = { ...process.env };
  const VALID = {
    CONVERSATIONS_TABLE_NAME: 'Conversations',
    MAX_OUTPUT_TOKENS: '1024',
    MODEL_ID: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    GUARDRAIL_ID: 'gr123abc',
    GUARDRAIL_VERSION: '3',
    TOOL_LOGS_TABLE_NAME: 'ToolLogs',
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
      guardrailId: 'gr123abc',
      guardrailVersion: '3',
      toolLogsTable: 'ToolLogs',
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
