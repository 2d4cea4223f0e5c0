import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, main } from '../../cli/main';
import { closestOption, describeParseError, documentedOptions } from '../../cli/parse-errors';
import { captureIo, REPO_ROOT } from '../support/cli-io';

const kass = async (...argv: string[]) => {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
};

describe('Command: kass --version', () => {
  it.each(['--version', '-v'])('prints the package version for %s', async (flag) => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { code, out, err } = await kass(flag);
    expect({ code, out, err }).toEqual({ code: 0, out: `kass ${version}\n`, err: '' });
  });

  it('lists --version in kass --help', async () => {
    expect((await kass('--help')).out).toContain('-v, --version  Print the version of kass');
  });
});

describe('Unknown options, every command', () => {
  it.each(Object.keys(COMMANDS))(
    'kass %s answers an unknown option with a clean hint (exit 2)',
    async (words) => {
      // Act
      const { code, out, err } = await kass(...words.split(' '), '--definitely-not-an-option');
      // Assess
      expect(code).toBe(2);
      expect(out).toBe('');
      const [first, second] = err.split('\n');
      expect(first).toBe(`kass ${words}: unknown option '--definitely-not-an-option'`);
      expect(second).toMatch(new RegExp(`^Run 'kass ${words} --help' for the options\\.`));
      expect(err).toContain(`Usage: kass ${words}`);
      // node:util's own text, with its unbalanced quotes, never reaches the user.
      expect(err).not.toContain('To specify a positional argument');
    },
  );

  it.each([
    ['ask', '--jsn', '--json'],
    ['cost', '--compare', '--compare-stores'],
    ['sync', '--dryrun', '--dry-run'],
    ['retrieve', '--hybird', '--hybrid'],
  ])('kass %s %s suggests %s', async (command, typo, option) => {
    const { code, err } = await kass(command, typo);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe(`kass ${command}: unknown option '${typo}'; did you mean ${option}?`);
  });

  it("says which value an option needs, in the help text's own words", async () => {
    const { code, err } = await kass('retrieve', 'vpn', '--top');
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe(
      "kass retrieve: option --top needs a value: --top <n>. Run 'kass retrieve --help' for the options.",
    );
  });

  it('says when a flag takes no value, and when a command takes no arguments', async () => {
    expect((await kass('sync', '--dry-run=yes')).err.split('\n')[0]).toBe(
      "kass sync: option --dry-run takes no value (write --dry-run alone). Run 'kass sync --help' for the options.",
    );
    expect((await kass('doctor', 'prod')).err.split('\n')[0]).toBe(
      "kass doctor: unexpected argument 'prod': kass doctor takes options only. Run 'kass doctor --help' for the options.",
    );
  });

  it('answers kass with an unknown option at the top level without the "--" hint', async () => {
    const { code, err } = await kass('--verbose');
    expect(code).toBe(2);
    expect(err.split('\n').slice(0, 2)).toEqual([
      "kass: unknown option '--verbose'",
      "Run 'kass --help' for the options.",
    ]);
  });
});

describe('Function: documentedOptions', () => {
  it('reads the options a help text lists, short and long', () => {
    expect(
      documentedOptions(
        'Usage: x\n\nOptions:\n  --top <n>   a\n  -f, --filter <expr>  b\n  -h, --help  c\n  --top again',
      ),
    ).toEqual(['--top', '-f', '--filter', '-h', '--help']);
  });

  it('finds every option of every command help that kass ships', async () => {
    for (const entry of Object.values(COMMANDS)) {
      const { usage } = await entry.load();
      expect(documentedOptions(usage)).toContain('--help');
    }
  });
});

describe('Function: closestOption', () => {
  const options = ['--json', '--stage', '--tokens-in', '--tokens-out', '-h', '--help'];

  it.each([
    ['--jsno', '--json'],
    ['--stag', '--stage'],
    ['--stage=prod', '--stage'],
    ['--tokens-ot', '--tokens-out'],
  ])('%s → %s', (given, expected) => expect(closestOption(given, options)).toBe(expected));

  it.each(['--zzz', '-x', '--tokens'])('suggests nothing for %s', (given) => {
    expect(closestOption(given, options)).toBeUndefined();
  });
});

describe('Function: describeParseError', () => {
  it('keeps an unknown error code readable', () => {
    expect(describeParseError({ code: 'ERR_OTHER', message: 'Something odd' }, '', 'kass x')).toBe(
      "Something odd. Run 'kass x --help' for the options.",
    );
  });
});
