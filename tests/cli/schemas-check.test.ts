import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CommandEntry, type CommandModule, main } from '../../cli/main';
import { captureIo, REPO_ROOT } from '../support/cli-io';

/** A temporary folder holding the given files. */
function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-schemas-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const BAD_SCHEMA = [
  'openapi: 3.0.0',
  'info: { title: Bad, version: 1.0.0 }',
  'paths:',
  '  /tickets:',
  '    post:',
  '      operationId: createTicket',
  '      description: Creates a ticket.',
  '      responses:',
  "        '200':",
  '          description: Created.',
  '          content:',
  '            application/json:',
  '              schema: { type: object, properties: { status: { type: string, enum: [open, closed] } } }',
  '',
].join('\n');

describe('Command: kass schemas check', () => {
  it('checks schemas/ by default and exits 0 on the shipped schemas', async () => {
    // Prepare
    const io = captureIo();
    const count = fs.readdirSync(path.join(REPO_ROOT, 'schemas')).filter((f) => f.endsWith('.yaml')).length;
    // Act
    const code = await main(['schemas', 'check'], io);
    // Assess
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toBe(`${count} schema files checked: no findings\n`);
  });

  it('exits 1 and prints file:line rule message for each finding in a folder', async () => {
    // Prepare
    const dir = folderWith({ 'tickets.yaml': BAD_SCHEMA, 'notes.txt': 'not a schema' });
    const io = captureIo(dir);
    // Act
    const code = await main(['schemas', 'check', '.'], io);
    // Assess
    expect(code).toBe(1);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^tickets\.yaml:6 require-confirmation-on-writes POST \/tickets changes data; set x-requireConfirmation: ENABLED/,
      ),
      expect.stringMatching(
        /^tickets\.yaml:13 no-enum enum is not supported by Bedrock agents; remove it and list the allowed values/,
      ),
      '2 findings in 1 of 1 schema file',
    ]);
  });

  it('accepts files and folders together, naming files as typed', async () => {
    // Prepare
    const dir = folderWith({ 'tickets.yaml': BAD_SCHEMA });
    const io = captureIo(REPO_ROOT);
    // Act
    const code = await main(['schemas', 'check', 'schemas/report.yaml', dir], io);
    // Assess
    expect(code).toBe(1);
    expect(io.out()).toContain(`${path.join(dir, 'tickets.yaml')}:13 no-enum`);
    expect(io.out()).not.toContain('report.yaml');
    expect(io.out()).toContain('2 findings in 1 of 2 schema files');
  });

  it('exits 2 on a path that cannot be read, without checking anything', async () => {
    // Prepare
    const io = captureIo();
    // Act
    const code = await main(['schemas', 'check', 'schemas', 'no-such-folder'], io);
    // Assess
    expect(code).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('kass schemas check: cannot read no-such-folder (ENOENT)');
  });

  it('exits 2 on a folder without schema files', async () => {
    // Prepare
    const io = captureIo(folderWith({ 'readme.md': '# nothing' }));
    // Act / Assess
    expect(await main(['schemas', 'check', '.'], io)).toBe(2);
    expect(io.err()).toContain('.: no schema files (.yaml, .yml, .json) in this folder');
  });

  it('prints its usage for --help and after an unknown option', async () => {
    // Prepare
    const help = captureIo();
    const bad = captureIo();
    // Act
    const helpCode = await main(['schemas', 'check', '--help'], help);
    const badCode = await main(['schemas', 'check', '--json'], bad);
    // Assess
    expect(helpCode).toBe(0);
    expect(help.out()).toContain('Usage: kass schemas check [files or folders...]');
    expect(badCode).toBe(2);
    expect(bad.err()).toContain("kass schemas check: unknown option '--json'");
    expect(bad.err()).toContain('Usage: kass schemas check');
  });
});

describe('Function: main', () => {
  it.each([['--help'], ['-h']])('prints the usage for %s and exits 0', async (flag) => {
    // Prepare
    const io = captureIo();
    // Act
    const code = await main([flag], io);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('Usage: kass <command> [options]');
    expect(io.out()).toContain('schemas check [files or folders...]');
  });

  it.each([
    [['deploy'], "kass: unknown command 'deploy'"],
    [[], 'kass: missing command'],
    [['schemas'], "kass: missing subcommand for 'schemas'"],
    [['schemas', 'lint'], "kass: unknown subcommand 'schemas lint'"],
    [['--verbose'], "kass: unknown option '--verbose'"],
  ])('prints the usage on stderr and exits 2 for %j', async (argv, message) => {
    // Prepare
    const io = captureIo();
    // Act
    const code = await main(argv, io);
    // Assess
    expect(code).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain(message);
    expect(io.err()).toContain('Usage: kass');
  });
});

describe('Function: main, with a fake command table', () => {
  const commandThat = (run: CommandModule['run']) => {
    const load = jest.fn(async (): Promise<CommandModule> => ({ usage: 'Usage: kass fake', run }));
    const commands: Record<string, CommandEntry> = { fake: { args: '', summary: 'A fake command', load } };
    return { commands, load };
  };

  it('does not load any command module for --help', async () => {
    // Prepare
    const { commands, load } = commandThat(async () => 0);
    // Act
    const code = await main(['--help'], captureIo(), commands);
    // Assess
    expect(code).toBe(0);
    expect(load).not.toHaveBeenCalled();
  });

  it('passes the arguments after the command words and returns its exit code', async () => {
    // Prepare
    const run = jest.fn(async () => 3);
    const { commands } = commandThat(run);
    const io = captureIo();
    // Act
    const code = await main(['fake', 'a', '--b'], io, commands);
    // Assess
    expect(code).toBe(3);
    expect(run).toHaveBeenCalledWith(['a', '--b'], io);
  });

  it('prints a CliError message without a stack and exits with its code', async () => {
    // Prepare
    const { commands } = commandThat(async () => {
      throw Object.assign(new Error('Stack kass-dev has no output AgentId.'), {
        name: 'CliError',
        exitCode: 4,
      });
    });
    const io = captureIo();
    // Act
    const code = await main(['fake'], io, commands);
    // Assess
    expect(code).toBe(4);
    expect(io.err()).toBe('kass fake: Stack kass-dev has no output AgentId.\n');
  });

  it('reports an unexpected error in one line and exits 1', async () => {
    // Prepare
    const { commands } = commandThat(async () => {
      throw new TypeError('x is not a function');
    });
    const io = captureIo();
    // Act
    const code = await main(['fake'], io, commands);
    // Assess
    expect(code).toBe(1);
    expect(io.err()).toBe('kass fake: unexpected error: x is not a function\n');
  });
});

describe('Executable: cli/bin/kass.cjs', () => {
  const kass = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, 'cli/bin/kass.cjs'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('is executable and prints the usage for --help', () => {
    // Act
    const result = kass('--help');
    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: kass <command> [options]');
    expect(fs.statSync(path.join(REPO_ROOT, 'cli/bin/kass.cjs')).mode & 0o111).not.toBe(0);
  });

  it('loads a command lazily and exits with its code', () => {
    // Act
    const result = kass('schemas', 'check');
    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('checked: no findings');
  });
});
