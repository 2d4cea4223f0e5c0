import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { ConverseTextModel, extractJsonObject } from '../../../action-groups/shared/text-model';

describe('Class: ConverseTextModel', () => {
  const bedrock = mockClient(BedrockRuntimeClient);
  beforeEach(() => bedrock.reset());
  const model = new ConverseTextModel(
    new BedrockRuntimeClient({}),
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    {
      id: 'gr123abc',
      version: '3',
    },
  );

  it('sends system, prompt, limits and the guardrail, and returns text and usage', async () => {
    // Prepare
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [{ text: 'Hello ' }, { text: 'world' }] } },
      usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
      stopReason: 'end_turn',
      metrics: { latencyMs: 5 },
    });
    // Act
    const out = await model.complete({ system: 'Be brief.', prompt: 'Say hi', maxTokens: 50 });
    // Assess
    expect(out).toEqual({
      text: 'Hello world',
      inputTokens: 12,
      outputTokens: 3,
      truncated: false,
      guardrailIntervened: false,
    });
    expect(bedrock).toHaveReceivedCommandWith(ConverseCommand, {
      modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      system: [{ text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ text: 'Say hi' }] }],
      inferenceConfig: { maxTokens: 50, temperature: 0.2 },
      guardrailConfig: { guardrailIdentifier: 'gr123abc', guardrailVersion: '3' },
    });
  });

  it.each([
    { name: 'ThrottlingException', status: 503 },
    { name: 'ModelNotReadyException', status: 503 },
    { name: 'AccessDeniedException', status: 502 },
    { name: 'ValidationException', status: 502 },
  ])('maps $name to a $status tool error without the SDK message', async ({ name, status }) => {
    bedrock.on(ConverseCommand).rejects(Object.assign(new Error('internal detail arn:aws:secret'), { name }));
    const error = await model.complete({ system: 's', prompt: 'p', maxTokens: 5 }).catch((e: unknown) => e);
    expect((error as { status: number }).status).toBe(status);
    expect((error as Error).message).not.toContain('internal detail');
  });

  it('flags answers cut at maxTokens and guardrail interventions', async () => {
    bedrock
      .on(ConverseCommand)
      .resolvesOnce({
        output: { message: { role: 'assistant', content: [{ text: 'x' }] } },
        stopReason: 'max_tokens',
      })
      .resolvesOnce({
        output: { message: { role: 'assistant', content: [{ text: 'blocked' }] } },
        stopReason: 'guardrail_intervened',
      });
    expect((await model.complete({ system: 's', prompt: 'p', maxTokens: 1 })).truncated).toBe(true);
    expect((await model.complete({ system: 's', prompt: 'p', maxTokens: 1 })).guardrailIntervened).toBe(true);
  });
});

describe('Function: extractJsonObject', () => {
  it.each([
    { text: '{"a":1}', expected: { a: 1 } },
    { text: 'Here you go:\n```json\n{"a": [1, 2]}\n```', expected: { a: [1, 2] } },
    { text: 'no json here', expected: undefined },
    { text: '{broken', expected: undefined },
    { text: '[1,2]', expected: undefined },
  ])('reads $text', ({ text, expected }) => {
    expect(extractJsonObject(text)).toEqual(expected);
  });
});
