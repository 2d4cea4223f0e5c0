import * as fc from 'fast-check';
import { run as ask } from '../../../cli/commands/ask';
import {
  defaultProfile,
  parseRecordedTurns,
  profileOf,
  type SampleTurn,
  shippedSamples,
  splitJsonDocuments,
} from '../../../cli/cost/turns';
import { captureIo } from '../../support/cli-io';
import { type AgentFrame, frame, useInvokeAgentServer } from '../../support/invoke-agent-server';

const IDS = ['--agent-id', 'AGENT12345', '--agent-alias-id', 'ALIAS12345'];

const server = useInvokeAgentServer({ KASS_AGENT_ID: undefined, KASS_AGENT_ALIAS_ID: undefined });

/** The frames a turn of this shape streams: per model call its usage, the lookups and tool calls between. */
function framesOf(turn: SampleTurn): AgentFrame[] {
  const frames: AgentFrame[] = [];
  turn.modelCalls.forEach((call, i) => {
    const traceId = `t-${i}`;
    frames.push(frame.modelUsage(traceId, call.inputTokens, call.outputTokens));
    if (i < turn.knowledgeBaseLookups) {
      frames.push(
        frame.knowledgeBaseLookup(traceId, turn.question),
        frame.knowledgeBaseResults(traceId, [{ text: 'passage', uri: 's3://docs/a.md' }]),
      );
    }
    const tool = turn.toolCalls[i];
    if (tool) {
      frames.push(
        frame.actionGroupCall(traceId, { actionGroupName: tool, verb: 'post', apiPath: '/x' }),
        frame.actionGroupOutput(traceId, '{}'),
      );
    }
  });
  frames.push(frame.text('Done.'));
  return frames;
}

describe('kass cost: turn profiles', () => {
  it('ships valid sample turns that say where they come from and how to replace them', () => {
    const samples = shippedSamples();
    expect(samples.source.kind).toBe('estimate');
    expect(samples.source.how).toMatch(/Not measured on a live agent/);
    expect(samples.source.replace).toContain('kass ask --json');
    expect(samples.turns.length).toBeGreaterThanOrEqual(3);
    // An agent turn makes several model calls on average, each carrying the whole prompt.
    const profile = defaultProfile();
    expect(profile.modelCalls).toBeGreaterThan(1.5);
    expect(profile.inputTokens).toBeGreaterThan(20 * 300);
  });

  it('averages tokens, model calls, lookups and tool calls per turn', () => {
    const turns: SampleTurn[] = [
      {
        name: 'a',
        question: 'q',
        modelCalls: [
          { phase: 'orchestration', inputTokens: 100, outputTokens: 10 },
          { phase: 'orchestration', inputTokens: 300, outputTokens: 30 },
        ],
        knowledgeBaseLookups: 1,
        toolCalls: ['report'],
        toolModelUsage: [{ tool: 'summarize', inputTokens: 50, outputTokens: 5 }],
      },
      {
        name: 'b',
        question: 'q',
        modelCalls: [{ phase: 'orchestration', inputTokens: 200, outputTokens: 20 }],
        knowledgeBaseLookups: 0,
        toolCalls: [],
      },
    ];
    expect(profileOf(turns, 'test')).toEqual({
      source: 'test',
      turns: 2,
      inputTokens: 300,
      outputTokens: 30,
      modelCalls: 1.5,
      knowledgeBaseLookups: 0.5,
      toolCalls: { report: 0.5 },
      toolModelTokens: { summarize: { inputTokens: 25, outputTokens: 2.5 } },
    });
  });

  it('splits appended JSON documents back into the values that were written', () => {
    const value = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 5 }), fc.boolean(), (values, pretty) => {
        const text = values.map((v) => JSON.stringify(v, null, pretty ? 2 : undefined)).join('\n');
        expect(splitJsonDocuments(text)).toEqual(JSON.parse(JSON.stringify(values)));
      }),
    );
  });

  it.each([
    ['{"a":1} x', /unexpected "x"/],
    ['{"a":1', /incomplete/],
    ['}', /unbalanced/],
  ])('rejects %s with the reason', (text, reason) => {
    expect(() => splitJsonDocuments(text)).toThrow(reason);
  });

  it('replays each sample through the InvokeAgent wire format and reads it back from kass ask --json', async () => {
    // Prepare: every sample streamed as the agent would, recorded the way a user records their own turns.
    const samples = shippedSamples();
    const recorded: string[] = [];
    for (const turn of samples.turns) {
      server.enqueue({ frames: framesOf(turn) });
      const io = captureIo();
      // Act
      expect(await ask([turn.question, '--json', ...IDS], io)).toBe(0);
      recorded.push(io.out());
      const usage = JSON.parse(io.out()).usage;
      // Assess: the client collected exactly the sample's calls.
      expect(usage).toEqual({
        inputTokens: turn.modelCalls.reduce((s, c) => s + c.inputTokens, 0),
        outputTokens: turn.modelCalls.reduce((s, c) => s + c.outputTokens, 0),
        modelCalls: turn.modelCalls.length,
      });
    }
    const fromRecording = parseRecordedTurns(recorded.join(''), 'turns.json');
    const shipped = defaultProfile();
    expect(fromRecording).toMatchObject({
      turns: samples.turns.length,
      inputTokens: shipped.inputTokens,
      outputTokens: shipped.outputTokens,
      modelCalls: shipped.modelCalls,
      knowledgeBaseLookups: shipped.knowledgeBaseLookups,
      toolCalls: shipped.toolCalls,
    });
    expect(fromRecording.source).toBe(`${samples.turns.length} turns recorded in turns.json`);
  });

  it('reads a samples file of its own format, and a JSON array of recordings', () => {
    const samples = shippedSamples();
    expect(parseRecordedTurns(JSON.stringify(samples), 'mine.json').inputTokens).toBe(
      defaultProfile().inputTokens,
    );
    const doc = {
      answer: 'x',
      usage: { inputTokens: 9000, outputTokens: 300, modelCalls: 2 },
      trace: { toolCalls: [{ actionGroup: 'report' }], knowledgeBaseLookups: [{}, {}] },
    };
    expect(parseRecordedTurns(JSON.stringify([doc, doc]), 'a.json')).toMatchObject({
      turns: 2,
      inputTokens: 9000,
      outputTokens: 300,
      modelCalls: 2,
      knowledgeBaseLookups: 2,
      toolCalls: { report: 1 },
    });
  });

  it.each([
    ['not json', /a\.json: not JSON/],
    ['[]', /no turns/],
    ['{"answer":"x"}', /document 1 is not `kass ask --json` output \(usage/],
    [
      '{"usage":{"inputTokens":0,"outputTokens":0,"modelCalls":0},"trace":{"toolCalls":[],"knowledgeBaseLookups":[]}}',
      /no token usage/,
    ],
  ])('rejects a bad recording %#, naming the file and the problem', (text, reason) => {
    expect(() => parseRecordedTurns(text, 'a.json')).toThrow(reason);
  });
});
