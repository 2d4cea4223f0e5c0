import type { ReturnControlInput, ToolResultEvent, TraceStep } from '../../client';

/** Longest piece of free text (rationale, tool output) shown on one trace line. */
const MAX_TEXT = 160;

/** One line, at most `max` characters. */
export function oneLine(text: string, max = MAX_TEXT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const pairs = (values: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(values ?? {})
    .map(([name, value]) => `${name}=${oneLine(value, 60)}`)
    .join(' ');

const label = (name: string): string => name.padEnd(9);

/**
 * A trace step as one compact line (`tool      report GET /tickets/{ticketId} ticketId=TCK-1042`), or
 * undefined for steps not worth a line (a guardrail check that did not intervene).
 */
export function formatTraceStep(step: TraceStep): string | undefined {
  switch (step.kind) {
    case 'rationale':
      return `${label('thinking')} ${oneLine(step.text)}`;
    case 'toolCall': {
      const target = step.apiPath
        ? `${step.actionGroup} ${(step.httpMethod ?? '').toUpperCase()} ${step.apiPath}`
        : `${step.actionGroup}.${step.function ?? '?'}`;
      const inputs = [pairs(step.parameters), step.body ? `body ${pairs(step.body)}` : '']
        .filter(Boolean)
        .join(' ');
      return `${label('tool')} ${target}${inputs ? ` ${inputs}` : ''}`;
    }
    case 'toolOutput':
      return `${label('result')} ${step.actionGroup ? `${step.actionGroup}: ` : ''}${oneLine(step.output)}`;
    case 'knowledgeBase': {
      const sources = [...new Set(step.references.map((r) => r.uri ?? '(no address)'))];
      const count = `${step.references.length} document${step.references.length === 1 ? '' : 's'}`;
      return `${label('search')} "${oneLine(step.query, 80)}" → ${count}${sources.length ? `: ${sources.join(', ')}` : ''}`;
    }
    case 'guardrail':
      if (step.action !== 'INTERVENED' && step.assessments.length === 0) return undefined;
      return `${label('guardrail')} ${step.action}${step.assessments.length ? `: ${step.assessments.join('; ')}` : ''}`;
    case 'failure':
      return `${label('failure')} ${oneLine(step.reason)}${step.code === undefined ? '' : ` (${step.code})`}`;
    case 'usage':
      return `${label('tokens')} in ${step.inputTokens} · out ${step.outputTokens}`;
  }
}

/** `report POST /tickets title=VPN drops priority=high`: a returned call and its inputs. */
export function describeInput(input: ReturnControlInput): string {
  if (input.kind === 'function') {
    const args = input.parameters.map((p) => `${p.name}=${oneLine(p.value, 60)}`).join(' ');
    return `${input.actionGroup}.${input.function}${args ? ` ${args}` : ''}`;
  }
  const body = input.requestBody ? Object.values(input.requestBody).flat() : [];
  const args = [...input.parameters, ...body].map((p) => `${p.name}=${oneLine(p.value, 60)}`).join(' ');
  return `${input.actionGroup} ${input.httpMethod.toUpperCase()} ${input.apiPath}${args ? ` ${args}` : ''}`;
}

/** What happened to a returned call: `local     report GET /tickets → 200`. */
export function formatToolResult(event: ToolResultEvent): string {
  const input = event.input;
  const target =
    input.kind === 'api'
      ? `${input.actionGroup} ${input.httpMethod.toUpperCase()} ${input.apiPath}`
      : `${input.actionGroup}.${input.function}`;
  if (event.confirmation === 'DENY') return `${label('local')} ${target}: not confirmed, not run`;
  if (event.error) return `${label('local')} ${target} failed: ${oneLine(event.error.message, 300)}`;
  if (event.body === undefined) return `${label('local')} ${target}: confirmed`;
  return `${label('local')} ${target} → ${event.status}`;
}
