import { z } from 'zod';

/**
 * How Bedrock turns a document into text before chunking: the default parser (text only, free), a foundation
 * model that reads each page as an image (tables, scans, figures; billed per token), or Bedrock Data Automation
 * (tables, scans, images; billed per page). Fixed once the data source exists, like chunking.
 */

export const PARSING_STRATEGIES = ['default', 'foundation-model', 'data-automation'] as const;
export type ParsingStrategy = (typeof PARSING_STRATEGIES)[number];

/** Claude models a foundation-model parser may use (through the stage's inference geography). Not Legacy ones. */
export const PARSER_MODELS = ['claude-sonnet-4-5', 'claude-sonnet-4-6', 'claude-haiku-4-5'] as const;

/** Bedrock's limit on a parsing prompt. */
export const MAX_PARSING_PROMPT_CHARS = 10_000;

/** The instruction the foundation-model parser gets for every page, unless `parsing.prompt` replaces it. */
export const DEFAULT_PARSING_PROMPT = `You convert one page of an internal engineering document into Markdown for a search index.

- Transcribe every piece of text on the page exactly as written, in reading order: headings as Markdown
  headings, lists as lists, paragraphs as paragraphs. Keep names, numbers, dates, phone numbers, ids and
  versions character for character.
- Write every table as a Markdown table with a header row and the same number of cells in each row. Put a
  merged cell's text in its first cell and leave the others empty. Never split one table into several.
- The page may be a scan or a photo: read the text in the image the same way.
- For a chart, diagram or picture without text, write one or two sentences that say what it shows.
- Do not add commentary, summaries or text that is not on the page.`;

const strategyError = () =>
  `parsing must be one of ${PARSING_STRATEGIES.join(', ')} (or an object {strategy, …})`;

const defaultParsing = z.strictObject({ strategy: z.literal('default') });

const foundationModelParsing = z.strictObject({
  strategy: z.literal('foundation-model'),
  /** The parser model (a Claude key, as for the agent), called through the stage's inference geography. */
  model: z
    .enum(PARSER_MODELS, { error: () => `parsing.model must be one of ${PARSER_MODELS.join(', ')}` })
    .default('claude-sonnet-4-5'),
  /** The per-page instruction. @default {@link DEFAULT_PARSING_PROMPT} */
  prompt: z
    .string()
    .refine((p) => p.trim().length > 0, 'parsing.prompt must not be empty')
    .refine(
      (p) => p.length <= MAX_PARSING_PROMPT_CHARS,
      `parsing.prompt must be at most ${MAX_PARSING_PROMPT_CHARS} characters (Bedrock's limit)`,
    )
    .default(DEFAULT_PARSING_PROMPT),
});

const dataAutomationParsing = z.strictObject({ strategy: z.literal('data-automation') });

/** `'default'`, `'foundation-model'`, `'data-automation'`, or the object form with the parser's settings. */
export const ParsingSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { strategy: value } : value),
  z.discriminatedUnion('strategy', [defaultParsing, foundationModelParsing, dataAutomationParsing], {
    error: strategyError,
  }),
);

export type ParsingConfig = z.infer<typeof ParsingSchema>;

export const DEFAULT_PARSING: ParsingConfig = { strategy: 'default' };
