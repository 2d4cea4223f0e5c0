import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkSchemaSet, type Finding } from '../../action-groups/kit/schema-rules';
import type { CliIo } from '../main';

const SCHEMA_EXTENSIONS = ['.yaml', '.yml', '.json'];
const DEFAULT_FOLDER = 'schemas';

export const usage = `Usage: kass schemas check [files or folders...]

Checks action-group OpenAPI schemas against Bedrock's rules (OpenAPI 3.0.0, no enum, operationId and name
patterns, tool names of at most 64 characters, at most 11 operations, confirmation on every write, ...) and
what the AgentCore gateway needs (target and tool names, flat tool input without oneOf/anyOf/allOf, at most 60
tools across all files), the same rules synth applies. The action-group name is each file's base name.

Arguments:
  files or folders  Schema files, or folders whose *.yaml, *.yml and *.json files are checked (not
                    recursively). Default: ${DEFAULT_FOLDER}/ in the current directory.

Output: one line per finding, "file:line rule message", then a summary line.
Exit status: 0 no findings, 1 findings, 2 usage error or unreadable path.

Options:
  -h, --help  Show this help
`;

interface SchemaFile {
  /** As shown in findings: relative to what was typed on the command line. */
  readonly display: string;
  readonly absolute: string;
}

/** Expands files and folders into schema files; problems are paths that cannot be read. */
async function collect(
  inputs: readonly string[],
  cwd: string,
): Promise<{ files: SchemaFile[]; problems: string[] }> {
  const files: SchemaFile[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const add = (file: SchemaFile) => {
    if (seen.has(file.absolute)) return;
    seen.add(file.absolute);
    files.push(file);
  };
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    try {
      const stat = await fs.stat(absolute);
      if (!stat.isDirectory()) {
        add({ display: input, absolute });
        continue;
      }
      const names = (await fs.readdir(absolute))
        .filter((name) => SCHEMA_EXTENSIONS.includes(path.extname(name).toLowerCase()))
        .sort();
      if (names.length === 0)
        problems.push(`${input}: no schema files (${SCHEMA_EXTENSIONS.join(', ')}) in this folder`);
      for (const name of names) add({ display: path.join(input, name), absolute: path.join(absolute, name) });
    } catch (err) {
      problems.push(`cannot read ${input} (${(err as { code?: string }).code ?? 'error'})`);
    }
  }
  return { files, problems };
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `kass schemas check [files or folders...]` */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const { files, problems } = await collect(positionals.length > 0 ? positionals : [DEFAULT_FOLDER], io.cwd);
  const texts = await Promise.all(
    files.map(async (file) => {
      try {
        return await fs.readFile(file.absolute, 'utf8');
      } catch (err) {
        problems.push(`cannot read ${file.display} (${(err as { code?: string }).code ?? 'error'})`);
        return undefined;
      }
    }),
  );
  if (problems.length > 0) {
    for (const problem of problems) io.stderr.write(`kass schemas check: ${problem}\n`);
    io.stderr.write('Run `kass schemas check --help` for usage.\n');
    return 2;
  }
  const findings: Finding[] = checkSchemaSet(
    files.map((file, i) => ({ text: texts[i] ?? '', file: file.display })),
  );
  for (const f of findings) io.stdout.write(`${f.file}:${f.line} ${f.rule} ${f.message}\n`);
  const failing = new Set(findings.map((f) => f.file)).size;
  io.stdout.write(
    findings.length === 0
      ? `${plural(files.length, 'schema file')} checked: no findings\n`
      : `${plural(findings.length, 'finding')} in ${failing} of ${plural(files.length, 'schema file')}\n`,
  );
  return findings.length === 0 ? 0 : 1;
}
