import type { AgentEvent, Citation, PendingReturnControl, ReturnControlInput, Usage } from '../../client';
import { Footnotes, insertMarkers } from '../../client/footnotes';
import type { Style } from './style';
import { formatToolResult, formatTraceStep } from './trace-line';

/** Something text is written to (`process.stdout`, a test buffer). */
export interface Writer {
  write(text: string): unknown;
}

/** Where and how a turn is shown. */
export interface TurnView {
  /** The answer and its footnotes. */
  readonly out: Writer;
  readonly outStyle: Style;
  /** Trace lines and local tool runs (stderr for `kass ask`, the same stream for `kass chat`). */
  readonly side: Writer;
  readonly sideStyle: Style;
  /** Whether `side` is the same stream as `out` (then a side line first ends the answer's current line). */
  readonly sameStream: boolean;
  readonly showTrace: boolean;
  /** Write text as it arrives (else once, at the end, with the markers placed at the cited text). */
  readonly streaming: boolean;
  /** Written before the first piece of the answer (e.g. `kass › ` in chat). */
  readonly answerPrefix?: string;
  /** Decides a confirmation prompt (true = confirm). */
  readonly confirm: (input: ReturnControlInput) => Promise<boolean>;
}

export interface RenderedTurn {
  readonly text: string;
  readonly citations: readonly Citation[];
  readonly footnotes: Footnotes;
  readonly usage: Usage;
  readonly sessionId: string;
  readonly pendingReturnControl?: PendingReturnControl;
}

/**
 * Shows one turn as its events arrive: answer text (with ` [n]` markers after cited parts), trace lines,
 * local tool runs and confirmation prompts; then the numbered sources. Errors of the stream propagate after
 * the current answer line is ended.
 */
export async function renderTurn(events: AsyncIterable<AgentEvent>, view: TurnView): Promise<RenderedTurn> {
  const footnotes = new Footnotes();
  const citations: Citation[] = [];
  let text = '';
  let midLine = false;
  let started = false;
  let done: { sessionId: string; usage: Usage; pending?: PendingReturnControl } | undefined;

  const writeAnswer = (piece: string) => {
    if (!piece) return;
    if (!started && view.answerPrefix) view.out.write(view.answerPrefix);
    started = true;
    view.out.write(piece);
    midLine = !piece.endsWith('\n');
  };
  const endLine = () => {
    if (midLine) view.out.write('\n');
    midLine = false;
  };
  const sideLine = (line: string, tone: (s: string) => string = view.sideStyle.dim) => {
    if (view.sameStream) endLine();
    view.side.write(`${tone(`  ${line}`)}\n`);
  };

  try {
    for await (const event of events) {
      switch (event.type) {
        case 'text':
          text += event.text;
          if (view.streaming) writeAnswer(event.text);
          break;
        case 'citation': {
          citations.push(event.citation);
          const markers = footnotes.markers(event.citation);
          if (view.streaming && markers) writeAnswer(view.outStyle.cyan(` ${markers}`));
          break;
        }
        case 'trace': {
          if (!view.showTrace) break;
          const line = formatTraceStep(event.step);
          if (line) sideLine(line, event.step.kind === 'failure' ? view.sideStyle.red : view.sideStyle.dim);
          break;
        }
        case 'confirmation': {
          endLine();
          if (await view.confirm(event.input)) event.confirm();
          else event.deny();
          break;
        }
        case 'toolResult':
          sideLine(formatToolResult(event), event.error ? view.sideStyle.yellow : view.sideStyle.dim);
          break;
        case 'files':
          sideLine(
            `files     ${event.files.map((f) => `${f.name} (${f.type}, ${f.bytes.length} bytes)`).join(', ')}`,
          );
          break;
        case 'done':
          done = {
            sessionId: event.sessionId,
            usage: event.usage,
            ...(event.pendingReturnControl ? { pending: event.pendingReturnControl } : {}),
          };
          break;
        case 'returnControl':
          break;
      }
    }
  } finally {
    endLine();
  }
  if (!done) throw new Error('The turn ended without a done event.');

  if (!view.streaming && text) {
    writeAnswer(insertMarkers(text, citations, footnotes).replace(/\s+$/, ''));
    endLine();
  }
  const lines = footnotes.lines();
  if (lines.length > 0) {
    view.out.write('\n');
    for (const line of lines) view.out.write(`${view.outStyle.cyan(line)}\n`);
  }
  if (view.showTrace && done.usage.modelCalls > 0) {
    sideLine(
      `tokens    total in ${done.usage.inputTokens} · out ${done.usage.outputTokens} (${done.usage.modelCalls} model calls)`,
    );
  }
  return {
    text,
    citations,
    footnotes,
    usage: done.usage,
    sessionId: done.sessionId,
    ...(done.pending ? { pendingReturnControl: done.pending } : {}),
  };
}
