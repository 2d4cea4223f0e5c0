import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { awsErrorKind } from '../../contracts/aws-errors';
import { DependencyFailed, DependencyUnavailable, Throttled } from '../kit/errors';

export interface TextCompletionRequest {
  /** Instructions for the model (the system prompt). */
  readonly system: string;
  /** The user turn: the text to work on. Treated as data by the system prompt. */
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature?: number;
}

export interface TextCompletion {
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** True when the model stopped at `maxTokens` (the answer may be cut). */
  readonly truncated: boolean;
  /** True when the guardrail replaced the answer. */
  readonly guardrailIntervened: boolean;
}

/** A model that turns a prompt into text: the port tools depend on (Bedrock Converse, or a fake in tests). */
export interface TextModel {
  complete(request: TextCompletionRequest): Promise<TextCompletion>;
}

export interface GuardrailRef {
  readonly id: string;
  readonly version: string;
}

/** Maps a Bedrock Runtime error to a tool error with a message safe for the model. */
export function toModelError(error: unknown): Error {
  const kind = awsErrorKind(error);
  if (kind === 'throttled' || kind === 'quota') {
    return new Throttled('The language model is busy. Try again in a few seconds.', {
      cause: error,
      retryAfterSeconds: 5,
    });
  }
  if (kind === 'unavailable') {
    return new DependencyUnavailable('The language model is unavailable right now. Try again later.', {
      cause: error,
    });
  }
  return new DependencyFailed('The language model could not process the request.', { cause: error });
}

/** Bedrock Converse behind the TextModel port, with the project's guardrail applied to every call. */
export class ConverseTextModel implements TextModel {
  constructor(
    private readonly client: BedrockRuntimeClient,
    private readonly modelId: string,
    private readonly guardrail?: GuardrailRef,
  ) {}

  async complete(request: TextCompletionRequest): Promise<TextCompletion> {
    try {
      const out = await this.client.send(
        new ConverseCommand({
          modelId: this.modelId,
          system: [{ text: request.system }],
          messages: [{ role: 'user', content: [{ text: request.prompt }] }],
          inferenceConfig: { maxTokens: request.maxTokens, temperature: request.temperature ?? 0.2 },
          ...(this.guardrail
            ? {
                guardrailConfig: {
                  guardrailIdentifier: this.guardrail.id,
                  guardrailVersion: this.guardrail.version,
                },
              }
            : {}),
        }),
      );
      const text = (out.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
      return {
        text,
        inputTokens: out.usage?.inputTokens ?? 0,
        outputTokens: out.usage?.outputTokens ?? 0,
        truncated: out.stopReason === 'max_tokens',
        guardrailIntervened: out.stopReason === 'guardrail_intervened',
      };
    } catch (error) {
      throw toModelError(error);
    }
  }
}

/**
 * Pulls the first JSON object out of a model answer (models sometimes wrap JSON in prose or code fences).
 * Returns undefined when there is none; callers decide how to degrade.
 */
export function extractJsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const parsed: unknown = JSON.parse(text.slice(start, end + 1));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
