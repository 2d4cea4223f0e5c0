import type { InvokeHarnessStreamOutput } from '@aws-sdk/client-bedrock-agentcore';
import { toAgentError } from './errors';
import type { AgentEvent, Citation, TraceStep } from './events';
import {
  KNOWLEDGE_TOOL_NAME,
  knowledgeReferences,
  parseJson,
  splitToolName,
  TOOL_SEPARATOR,
  type ToolUseBlock,
  toArguments,
} from './harness-tools';

/** What one InvokeHarness call produced. */
export interface CallResult {
  readonly text: string;
  readonly stopReason?: string;
  /** Tool uses without a result in the stream: inline functions waiting for the caller. */
  readonly pending: readonly ToolUseBlock[];
  readonly hookDenial?: string;
}

export interface TurnState {
  yielded: boolean;
  readonly usage: { inputTokens: number; outputTokens: number; modelCalls: number };
  readonly signal: AbortSignal;
  readonly citations: Citation[];
}

/**
 * Reads one InvokeHarness stream: text is kept (released after the guardrail), tool uses and results become trace
 * steps as their blocks close, knowledge results become citations, metadata becomes usage. Tool blocks are keyed by
 * toolUseId, not by block index (a stream may reuse an index across tool uses).
 */
export class StreamReader {
  private text = '';
  private stopReason: string | undefined;
  private hookDenial: string | undefined;
  private readonly uses = new Map<string, ToolUseBlock>();
  private readonly answered = new Set<string>();
  private readonly blocks = new Map<
    number,
    { kind: 'use' | 'result'; id: string; output: string; status?: string }
  >();

  constructor(
    private readonly turn: TurnState,
    private readonly streamText: boolean,
  ) {}

  *read(event: InvokeHarnessStreamOutput): Generator<AgentEvent> {
    if (event.contentBlockDelta) {
      const { contentBlockIndex: index = 0, delta } = event.contentBlockDelta;
      if (delta?.text !== undefined) {
        this.text += delta.text;
        // Without an output guardrail the answer streams as it comes; with one it waits for the check.
        if (this.streamText && delta.text) yield { type: 'text', text: delta.text };
      }
      const block = this.blocks.get(index);
      if (delta?.toolUse?.input !== undefined && block?.kind === 'use') {
        const use = this.uses.get(block.id);
        if (use) use.input += delta.toolUse.input;
      }
      if (delta?.toolResult && block?.kind === 'result') {
        for (const part of delta.toolResult) {
          block.output += part.text ?? (part.json !== undefined ? JSON.stringify(part.json) : '');
        }
      }
      return;
    }
    if (event.contentBlockStart) {
      const { contentBlockIndex: index = 0, start } = event.contentBlockStart;
      if (start?.toolUse?.toolUseId) {
        const { toolUseId, name } = start.toolUse;
        if (!this.uses.has(toolUseId)) this.uses.set(toolUseId, { toolUseId, name: name ?? '', input: '' });
        this.blocks.set(index, { kind: 'use', id: toolUseId, output: '' });
      } else if (start?.toolResult?.toolUseId) {
        this.blocks.set(index, {
          kind: 'result',
          id: start.toolResult.toolUseId,
          output: '',
          ...(start.toolResult.status ? { status: start.toolResult.status } : {}),
        });
      }
      return;
    }
    if (event.contentBlockStop) {
      const index = event.contentBlockStop.contentBlockIndex ?? 0;
      const block = this.blocks.get(index);
      this.blocks.delete(index);
      if (block) yield* this.closed(block);
      return;
    }
    if (event.messageStop) {
      this.stopReason = event.messageStop.stopReason;
      return;
    }
    if (event.metadata) {
      const usage = event.metadata.usage;
      const step: TraceStep = {
        kind: 'usage',
        phase: 'orchestration',
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
      };
      this.turn.usage.inputTokens += step.inputTokens;
      this.turn.usage.outputTokens += step.outputTokens;
      this.turn.usage.modelCalls += 1;
      yield { type: 'trace', step };
      return;
    }
    if (event.hookEvent) {
      const { name, type, decision, reason } = event.hookEvent;
      if (decision === 'deny') {
        if (type === 'before_invocation') this.hookDenial = reason ?? 'The request was blocked.';
        yield {
          type: 'trace',
          step: {
            kind: 'guardrail',
            phase: 'guardrail',
            action: 'INTERVENED',
            assessments: [`hook ${name ?? '?'} (${type ?? '?'}): denied`],
          },
        };
      }
      return;
    }
    // In-stream exceptions are thrown by the SDK while iterating; this covers one handed over as a member.
    for (const [member, value] of Object.entries(event)) {
      if ((member.endsWith('Exception') || member.endsWith('Error')) && value) {
        const message = (value as { message?: unknown }).message;
        throw toAgentError({ name: member, message: typeof message === 'string' ? message : member });
      }
    }
  }

  private *closed(block: {
    kind: 'use' | 'result';
    id: string;
    output: string;
    status?: string;
  }): Generator<AgentEvent> {
    const use = this.uses.get(block.id);
    const { group, operation } = splitToolName(use?.name ?? '');
    if (block.kind === 'use' && use) {
      const input = parseJson(use.input || '{}');
      const record =
        typeof input === 'object' && input !== null && !Array.isArray(input)
          ? (input as Record<string, unknown>)
          : {};
      yield {
        type: 'trace',
        step: {
          kind: 'toolCall',
          phase: 'orchestration',
          traceId: block.id,
          actionGroup: group,
          function: operation,
          parameters: Object.fromEntries(toArguments(record).map((a) => [a.name, a.value])),
        },
      };
      return;
    }
    if (block.kind !== 'result') return;
    this.answered.add(block.id);
    yield {
      type: 'trace',
      step: {
        kind: 'toolOutput',
        phase: 'orchestration',
        traceId: block.id,
        actionGroup: group,
        output: block.output,
      },
    };
    if (`${group}${TOOL_SEPARATOR}${operation}` === KNOWLEDGE_TOOL_NAME && block.status !== 'error') {
      const references = knowledgeReferences(block.output);
      const query = parseJson(use?.input || '{}') as { query?: unknown } | undefined;
      yield {
        type: 'trace',
        step: {
          kind: 'knowledgeBase',
          phase: 'orchestration',
          traceId: block.id,
          query: typeof query?.query === 'string' ? query.query : '',
          references,
        },
      };
      if (references.length > 0) this.turn.citations.push({ text: '', references });
    }
  }

  result(): CallResult {
    return {
      text: this.text,
      ...(this.stopReason ? { stopReason: this.stopReason } : {}),
      ...(this.hookDenial !== undefined ? { hookDenial: this.hookDenial } : {}),
      pending: [...this.uses.values()].filter((u) => !this.answered.has(u.toolUseId)),
    };
  }
}
