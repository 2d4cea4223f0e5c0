import { MAX_ACTION_ITEMS, MAX_FALLBACK_SUMMARY_CHARS } from '../../../action-groups/summarize/limits';
import { parseSummary } from '../../../action-groups/summarize/parse-summary';

describe('Function: parseSummary', () => {
  it('reads the requested JSON, also inside prose and code fences', () => {
    // Prepare
    const text =
      'Here is the summary:\n```json\n{"summary": " The team moved the release. ", "keyPoints": ["Release on 12 May"], ' +
      '"actionItems": ["Ana: update the changelog"], "sentiment": "Positive"}\n```';

    // Act
    const parsed = parseSummary(text);

    // Assess
    expect(parsed).toEqual({
      summary: 'The team moved the release.',
      keyPoints: ['Release on 12 May'],
      actionItems: ['Ana: update the changelog'],
      sentiment: 'positive',
      structured: true,
    });
  });

  it('repairs fields one by one: lists keep their strings, an unknown sentiment is neutral', () => {
    // Act
    const parsed = parseSummary(
      JSON.stringify({
        summary: 'S',
        keyPoints: ['a', 3, '  ', null, 'b', 'c'],
        actionItems: 'not a list',
        sentiment: 'furious',
      }),
      { maxKeyPoints: 2 },
    );

    // Assess
    expect(parsed).toEqual({
      summary: 'S',
      keyPoints: ['a', 'b'],
      actionItems: [],
      sentiment: 'neutral',
      structured: true,
    });
  });

  it('caps action items and long entries', () => {
    // Act
    const parsed = parseSummary(
      JSON.stringify({ summary: 'S', actionItems: Array.from({ length: 30 }, () => 'x'.repeat(900)) }),
    );

    // Assess
    expect(parsed.actionItems).toHaveLength(MAX_ACTION_ITEMS);
    expect(parsed.actionItems[0]).toHaveLength(500);
    expect(parsed.actionItems[0]?.endsWith('…')).toBe(true);
  });

  it.each([
    {
      name: 'plain prose',
      text: '  The user asked about VPN drops; the assistant suggested a driver update.  ',
    },
    { name: 'JSON without a summary', text: '{"keyPoints": ["a"]}' },
    { name: 'a JSON list', text: '["a", "b"]' },
  ])('degrades to the answer text for $name', ({ text }) => {
    // Act
    const parsed = parseSummary(text);

    // Assess
    expect(parsed).toEqual({
      summary: text.trim(),
      keyPoints: [],
      actionItems: [],
      sentiment: 'neutral',
      structured: false,
    });
  });

  it('salvages the summary of an answer cut at maxTokens', () => {
    // Act
    const parsed = parseSummary(
      '```json\n{"summary": "The team agreed on \\"plan B\\".", "keyPoints": ["Use the',
    );

    // Assess
    expect(parsed).toMatchObject({
      summary: 'The team agreed on "plan B".',
      keyPoints: [],
      structured: false,
    });
  });

  it('strips code fences from an unstructured answer and bounds its length', () => {
    expect(parseSummary('```\nJust text\n```').summary).toBe('Just text');
    expect(parseSummary('y'.repeat(10_000)).summary).toHaveLength(MAX_FALLBACK_SUMMARY_CHARS);
  });

  it('returns an empty summary for a blank answer', () => {
    expect(parseSummary('  \n').summary).toBe('');
  });
});
