import { DependencyFailed, InvalidInput, NotFound } from '../../../action-groups/kit/errors';
import type {
  ConversationMessage,
  ConversationStore,
  LoadedConversation,
  LoadOptions,
} from '../../../action-groups/summarize/conversation-store';
import {
  BLOCKED_MESSAGE,
  mapLimit,
  type SummarizeDeps,
  summarizeConversation,
  summarizeText,
} from '../../../action-groups/summarize/domain';
import { FakeTextModel, summaryJson } from './support';

/** An in-memory store that returns fixed messages and records what was asked. */
class MemoryStore implements ConversationStore {
  readonly calls: { id: string; options?: LoadOptions }[] = [];
  constructor(
    private readonly messages: ConversationMessage[],
    private readonly complete = true,
  ) {}
  async load(id: string, options?: LoadOptions): Promise<LoadedConversation> {
    this.calls.push({ id, ...(options ? { options } : {}) });
    return { messages: id === 'conv-1' ? this.messages : [], complete: this.complete, skipped: 0 };
  }
}

const message = (
  i: number,
  content = `message ${i} ${'x'.repeat(60)}`,
  userId = 'u-1',
): ConversationMessage => ({
  timestamp: `2025-05-01T10:00:${String(i).padStart(2, '0')}.000Z`,
  role: i % 2 === 0 ? 'user' : 'assistant',
  content,
  userId,
});

const dataOf = (prompt: string): string => /<kass-data>\n([\s\S]*)\n<\/kass-data>/.exec(prompt)?.[1] ?? '';

/** Answers each part with its number, each merge with "merged(<n parts>)". */
const echoModel = (): FakeTextModel =>
  new FakeTextModel(({ system }) => {
    const part = /part (\d+) of (\d+)/.exec(system);
    const merge = /summaries of (\d+) consecutive/.exec(system);
    if (part) return { text: summaryJson(`p${part[1]}`) };
    if (merge) return { text: summaryJson(`merged(${merge[1]})`) };
    return { text: summaryJson('whole', { keyPoints: ['k1', 'k2', 'k3'], sentiment: 'mixed' }) };
  });

describe('Function: summarizeConversation', () => {
  it('summarizes a short conversation in one call with the maxKeyPoints and output limits', async () => {
    // Prepare
    const model = echoModel();
    const store = new MemoryStore([message(0), message(1)]);
    const deps: SummarizeDeps = { store, model, maxOutputTokens: 321, charBudget: 1_000, maxChunks: 3 };

    // Act
    const result = await summarizeConversation(deps, {
      conversationId: 'conv-1',
      maxKeyPoints: 2,
      focus: 'VPN',
      userId: 'u-1',
    });

    // Assess
    expect(result).toEqual({
      summary: 'whole',
      keyPoints: ['k1', 'k2'],
      actionItems: [],
      sentiment: 'mixed',
      chunks: 1,
    });
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({ maxTokens: 321 });
    expect(model.requests[0]?.system).toContain('Concentrate on this topic, which the user asked for: "VPN"');
    expect(store.calls).toEqual([{ id: 'conv-1', options: { maxChars: 3_000 } }]);
  });

  it('merges in rounds when the partial summaries do not fit one merge call', async () => {
    // Prepare: each message fills a chunk; partials of about 90 characters, two per merge call at budget 200
    const model = echoModel();
    const messages = Array.from({ length: 4 }, (_, i) => message(i, `m${i} ${'y'.repeat(150)}`));
    const deps: SummarizeDeps = {
      store: new MemoryStore(messages),
      model,
      maxOutputTokens: 100,
      charBudget: 200,
    };

    // Act
    const result = await summarizeConversation(deps, {
      conversationId: 'conv-1',
      maxKeyPoints: 5,
      userId: 'u-1',
    });

    // Assess: 4 parts, 2 merges of 2, 1 final merge of 2
    expect(result.summary).toBe('merged(2)');
    expect(result.chunks).toBe(4);
    const stages = model.requests.map((r) => /part \d+ of \d+|summaries of \d+/.exec(r.system)?.[0]);
    expect(stages).toEqual([
      'part 1 of 4',
      'part 2 of 4',
      'part 3 of 4',
      'part 4 of 4',
      'summaries of 2',
      'summaries of 2',
      'summaries of 2',
    ]);
    expect(dataOf(model.requests[6]?.prompt ?? '')).toContain('"summary":"merged(2)"');
  });

  it('keeps the most recent chunks of a conversation over maxChunks and says so', async () => {
    // Prepare
    const model = echoModel();
    const messages = Array.from({ length: 5 }, (_, i) => message(i, `m${i} ${'y'.repeat(150)}`));
    const deps: SummarizeDeps = {
      store: new MemoryStore(messages),
      model,
      maxOutputTokens: 100,
      charBudget: 400,
      maxChunks: 2,
    };

    // Act
    const result = await summarizeConversation(deps, {
      conversationId: 'conv-1',
      maxKeyPoints: 5,
      userId: 'u-1',
    });

    // Assess
    expect(result).toMatchObject({ chunks: 2, truncated: true });
    expect(result.note).toMatch(/only its most recent part/);
    const parts = model.requests.slice(0, 2).map((r) => dataOf(r.prompt));
    // 3 chunks of at most 2 messages: [m0, m1] [m2, m3] [m4]; the oldest is left out
    expect(parts[0]).toMatch(/^\[[^\]]+\] User: m2 .*\n\n\[[^\]]+\] Assistant: m3 /s);
    expect(parts[1]).toMatch(/^\[[^\]]+\] User: m4 /);
    expect(parts.join('')).not.toMatch(/m[01] /);
  });

  it('reports a conversation the store cut as truncated', async () => {
    // Prepare
    const deps: SummarizeDeps = {
      store: new MemoryStore([message(0)], false),
      model: echoModel(),
      maxOutputTokens: 100,
    };

    // Act
    const result = await summarizeConversation(deps, {
      conversationId: 'conv-1',
      maxKeyPoints: 5,
      userId: 'u-1',
    });

    // Assess
    expect(result).toMatchObject({ chunks: 1, truncated: true });
  });

  it.each([
    { name: 'an unknown id', conversationId: 'nope', userId: 'u-1' },
    { name: "another user's conversation", conversationId: 'conv-1', userId: 'u-2' },
  ])('answers NotFound for $name without calling the model', async ({ conversationId, userId }) => {
    // Prepare
    const model = echoModel();
    const deps: SummarizeDeps = { store: new MemoryStore([message(0)]), model, maxOutputTokens: 100 };

    // Act
    const error = await summarizeConversation(deps, { conversationId, maxKeyPoints: 5, userId }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(NotFound);
    expect((error as Error).message).toBe(
      `No stored conversation has the id "${conversationId}". Check the id: for the current conversation use the ` +
        'conversationId from the session, and do not guess ids.',
    );
    expect(model.requests).toHaveLength(0);
  });

  it("summarizes the session user's own conversation", async () => {
    const deps: SummarizeDeps = {
      store: new MemoryStore([message(0)]),
      model: echoModel(),
      maxOutputTokens: 100,
    };
    await expect(
      summarizeConversation(deps, { conversationId: 'conv-1', maxKeyPoints: 5, userId: 'u-1' }),
    ).resolves.toMatchObject({ summary: 'whole' });
  });

  it('fails with the content-policy message when the guardrail intervenes on any part', async () => {
    // Prepare
    const model = new FakeTextModel(({ system }) =>
      system.includes('part 2 of')
        ? { text: 'Sorry, blocked.', guardrailIntervened: true }
        : { text: summaryJson('ok') },
    );
    const messages = Array.from({ length: 3 }, (_, i) => message(i, `m${i} ${'y'.repeat(150)}`));
    const deps: SummarizeDeps = {
      store: new MemoryStore(messages),
      model,
      maxOutputTokens: 100,
      charBudget: 200,
    };

    // Act
    const error = await summarizeConversation(deps, {
      conversationId: 'conv-1',
      maxKeyPoints: 5,
      userId: 'u-1',
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyFailed);
    expect(error).toMatchObject({ status: 502, message: BLOCKED_MESSAGE });
  });

  it('fails when the model answers nothing at all', async () => {
    const deps: SummarizeDeps = {
      store: new MemoryStore([message(0)]),
      model: new FakeTextModel(() => ({ text: '   ' })),
      maxOutputTokens: 100,
    };
    await expect(
      summarizeConversation(deps, { conversationId: 'conv-1', maxKeyPoints: 5, userId: 'u-1' }),
    ).rejects.toMatchObject({
      status: 502,
      message: 'The language model returned no summary. Try again later.',
    });
  });
});

describe('Function: summarizeText', () => {
  it('splits a long text on paragraphs and keeps its beginning over maxChunks', async () => {
    // Prepare
    const model = echoModel();
    const text = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} ${'z'.repeat(80)}`).join('\n\n');
    const deps: SummarizeDeps = {
      store: new MemoryStore([]),
      model,
      maxOutputTokens: 100,
      charBudget: 200,
      maxChunks: 2,
    };

    // Act
    const result = await summarizeText(deps, { text, maxKeyPoints: 5 });

    // Assess
    expect(result).toMatchObject({ summary: 'merged(2)', chunks: 2, truncated: true });
    expect(result.note).toMatch(/only its beginning/);
    expect(dataOf(model.requests[0]?.prompt ?? '')).toBe(
      `Paragraph 0 ${'z'.repeat(80)}\n\nParagraph 1 ${'z'.repeat(80)}`,
    );
    expect(model.requests[0]?.system).toContain('part 1 of 2 of a longer text');
  });

  it('degrades to the model text with a note when the answer is not JSON', async () => {
    // Prepare
    const deps: SummarizeDeps = {
      store: new MemoryStore([]),
      model: new FakeTextModel(() => ({ text: 'A plain answer.' })),
      maxOutputTokens: 100,
    };

    // Act
    const result = await summarizeText(deps, { text: 'Some text.', maxKeyPoints: 5 });

    // Assess
    expect(result).toEqual({
      summary: 'A plain answer.',
      keyPoints: [],
      actionItems: [],
      sentiment: 'neutral',
      chunks: 1,
      note: expect.stringMatching(/did not return a structured summary/),
    });
  });

  it('rejects a blank text as invalid input', async () => {
    const deps: SummarizeDeps = { store: new MemoryStore([]), model: echoModel(), maxOutputTokens: 100 };
    const error = await summarizeText(deps, { text: ' \n\n\t', maxKeyPoints: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).fields).toEqual([
      'text: must contain some non-blank text. Expected: The text to summarize, verbatim',
    ]);
  });
});

describe('Function: mapLimit', () => {
  it('runs at most `limit` calls at once and keeps the order', async () => {
    // Prepare
    let running = 0;
    let peak = 0;
    const work = async (n: number): Promise<number> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 - (n % 3)));
      running--;
      return n * 2;
    };

    // Act
    const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, work);

    // Assess
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
  });

  it('starts no new call after a failure', async () => {
    // Prepare
    const started: number[] = [];

    // Act
    const error = await mapLimit([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      return n;
    }).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe('boom');
    expect(started).toEqual([1, 2]);
  });
});
