import { parseFilter } from '../../cli/commands/retrieve';
import { COMMANDS } from '../../cli/main';
import { USAGE as SYNTH_USAGE } from '../../infra/synth';
import { checkCommand } from '../support/command-examples';
import { helpExamples, helpInlineCommands } from '../support/doc-examples';

/** Every `--help` text kass and npm run synth print, by the command that prints it. */
async function helpTexts(): Promise<[string, string][]> {
  const texts: [string, string][] = [['npm run synth', SYNTH_USAGE]];
  for (const [words, entry] of Object.entries(COMMANDS))
    texts.push([`kass ${words}`, (await entry.load()).usage]);
  return texts;
}

describe('--help examples', () => {
  let texts: [string, string][];
  beforeAll(async () => {
    texts = await helpTexts();
  });

  it('every command and example in a --help text works as written (parsed, and run where no AWS is needed)', async () => {
    const examples = texts.flatMap(([command, usage]) =>
      [...helpExamples(usage), ...helpInlineCommands(usage)].map((example) => ({ command, example })),
    );
    // The ones the issue named, so the extraction cannot silently find nothing.
    expect(examples.map((e) => e.example)).toEqual(
      expect.arrayContaining([
        'npx kass tool report getTicket --param ticketId=TCK-1042 --stage dev',
        expect.stringMatching(/^npx kass tool report createTicket --body '\{.*\}' --event$/),
        'kass retrieve VPN setup for new laptops',
        'npm run synth -- --stage prod',
        'npm run synth',
      ]),
    );
    const problems: string[] = [];
    for (const { command, example } of examples) {
      for (const problem of await checkCommand(example))
        problems.push(`${command} --help: ${example}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('every filter in the kass retrieve table parses to the operator it names', async () => {
    const usage = texts.find(([command]) => command === 'kass retrieve')?.[1] ?? '';
    const table = usage.slice(usage.indexOf('Filters ('), usage.indexOf('Any API operator'));
    // Rows: `  <syntax>   <operator>   <examples…>`; the examples are the words with an operator in them that
    // are not the syntax itself (`key=value`, `key>n`).
    const examples = table
      .split('\n')
      .slice(1)
      .flatMap((row) => row.trim().split(/\s+/))
      .filter((word) => /^[a-z]+(=|!=|>=|<=|>|<|:)/.test(word) && !word.startsWith('key'));
    expect(examples.length).toBeGreaterThanOrEqual(9);
    for (const example of examples) {
      const parsed = parseFilter(example);
      expect({ example, ok: parsed.ok }).toEqual({ example, ok: true });
    }
    expect(parseFilter('key:greaterThanOrEquals=2024').ok).toBe(true);
  });

  it('the --body example of kass tool is a JSON object', async () => {
    const usage = texts.find(([command]) => command === 'kass tool')?.[1] ?? '';
    const body = /--body <json>.*e\.g\. '([^']+)'/.exec(usage)?.[1];
    expect(JSON.parse(body ?? 'null')).toEqual(expect.any(Object));
  });
});
