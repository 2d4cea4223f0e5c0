import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateToolTypes } from '../../action-groups/kit/codegen/generate-types';
import { toolNameOf } from '../../action-groups/kit/openapi/operations';
import { checkSchemaText } from '../../action-groups/kit/schema-rules';
import { MAX_TOOL_NAME_LENGTH } from '../../action-groups/kit/schema-rules/patterns';
import type { CliIo } from '../io';
import { CliError } from '../stack-outputs';
import {
  EXAMPLE_OPERATION,
  renderDomain,
  renderHandler,
  renderNeeds,
  renderSchema,
  renderTest,
  renderTool,
  scaffoldPaths,
} from '../templates/tool-scaffold';

/** The repository this CLI belongs to (this file is `cli/commands/new-tool.ts`). */
const REPO_ROOT = path.resolve(__dirname, '../..');

/** Folders of `action-groups/` that are not tools. */
const RESERVED_NAMES = ['kit', 'shared'];

/** Longest name whose example operation's tool name (`get__<name>__getGreeting`) fits Bedrock's 64. */
export const MAX_NAME_LENGTH = MAX_TOOL_NAME_LENGTH - toolNameOf('', EXAMPLE_OPERATION).length;

export const usage = `Usage: kass new-tool <name> [--root <dir>]
       npm run new-tool -- <name>

Scaffolds a new action-group tool:
  schemas/<name>.yaml                        OpenAPI 3.0.0 document with one example operation (${EXAMPLE_OPERATION.operationId})
  action-groups/<name>/schema.generated.ts   handler types, generated from the schema
  action-groups/<name>/needs.ts              what the tool needs (variables, grants), as data infra reads
  action-groups/<name>/domain.ts             the operations' pure logic
  action-groups/<name>/tool.ts               defineTool with one handler per operationId, over the domain
  action-groups/<name>/handler.ts            the Lambda entry: the tool wired to its adapters
  tests/action-groups/<name>/tool.test.ts    a passing test of the example operation
and prints the next steps. \`npm run synth\` discovers the tool (one Lambda + one action group): no infra edit.

Arguments:
  name  The action-group name Bedrock sees: lower-case kebab-case (a-z, 0-9, single '-' between words, e.g.
        code-review), at most ${MAX_NAME_LENGTH} characters (tool names are verb__<name>__operationId, at most
        ${MAX_TOOL_NAME_LENGTH}), not kit or shared, and not an existing tool. Existing files are never overwritten.

Options:
  --root <dir>  Repository to write into (default: the repository of this kass command)
  -h, --help    Show this help

Exit status: 0 created, 1 the tool already exists, 2 usage error or invalid name.
`;

/**
 * Why `name` cannot be a new tool's name, or undefined when it can. House kebab-case is stricter than
 * Bedrock's action-group name pattern `([0-9a-zA-Z][_-]?){1,100}` (so every accepted name matches it) and
 * rules out `__`; the length keeps the example operation's tool name within Bedrock's 64 characters.
 */
export function nameProblem(name: string): string | undefined {
  const problem = shapeProblem(name);
  if (problem === undefined) return undefined;
  // Suggest only a name the command accepts: `Weather_Lookup` → `weather-lookup`, never `weather_lookup`.
  const suggestion = suggestName(name);
  return suggestion === undefined ? problem : `${problem}; try: kass new-tool ${suggestion}`;
}

function shapeProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (/[A-Z]/.test(name)) return 'use lower case (kebab-case)';
  if (name.includes('__')) {
    return "it must not contain '__': Bedrock builds tool names as verb__group__operationId";
  }
  if (name.includes('_')) return "use '-' between words, not '_' (kebab-case)";
  if (!/^[a-z0-9-]+$/.test(name)) return "it may contain only a-z, 0-9 and '-' (no spaces, dots or slashes)";
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) {
    return "it must start and end with a letter or digit, with a single '-' between words";
  }
  if (RESERVED_NAMES.includes(name)) {
    return `it is reserved: action-groups/${name}/ holds code the tools share`;
  }
  if (name.length > MAX_NAME_LENGTH) {
    const toolName = toolNameOf(name, EXAMPLE_OPERATION);
    return `it is ${name.length} characters; the tool name '${toolName}' would be ${toolName.length}, Bedrock allows at most ${MAX_TOOL_NAME_LENGTH}: use at most ${MAX_NAME_LENGTH} characters`;
  }
  return undefined;
}

/**
 * The kebab-case name closest to `name` that `nameProblem` accepts (`Weather_Lookup` → `weather-lookup`,
 * `WeatherLookup` → `weather-lookup`), or undefined when there is none worth offering (nothing left, a
 * reserved name).
 */
export function suggestName(name: string): string | undefined {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2') // camelCase and PascalCase split into words
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  let candidate = '';
  for (const word of words) {
    const next = candidate === '' ? word : `${candidate}-${word}`;
    if (next.length > MAX_NAME_LENGTH) break;
    candidate = next;
  }
  if (candidate === '' && words[0]) candidate = words[0].slice(0, MAX_NAME_LENGTH);
  return candidate !== '' && candidate !== name && shapeProblem(candidate) === undefined
    ? candidate
    : undefined;
}

/** The files of a new tool, by repository-relative path, in writing order. */
export function scaffoldFiles(name: string): { path: string; text: string }[] {
  const paths = scaffoldPaths(name);
  const schema = renderSchema(name);
  const findings = checkSchemaText(schema, paths.schema, name);
  if (findings.length > 0) {
    // The template is ours: a finding here is a bug in cli/templates/tool-scaffold.ts, not the user's.
    throw new Error(`scaffold schema breaks ${findings.map((f) => `${f.rule} (line ${f.line})`).join(', ')}`);
  }
  return [
    { path: paths.schema, text: schema },
    // What `npx tsx action-groups/kit/codegen/cli.ts` writes for this schema; before the handler, so the tool
    // folder never exists without its types.
    { path: paths.types, text: generateToolTypes(schema, name) },
    { path: paths.needs, text: renderNeeds(name) },
    { path: paths.domain, text: renderDomain(name) },
    { path: paths.tool, text: renderTool(name) },
    { path: paths.handler, text: renderHandler(name) },
    { path: paths.test, text: renderTest(name) },
  ];
}

/** Paths that a new tool `name` would collide with. */
function existing(root: string, name: string): string[] {
  const paths = scaffoldPaths(name);
  return [paths.schema, path.posix.dirname(paths.handler), paths.test].filter((rel) =>
    fs.existsSync(path.join(root, rel)),
  );
}

/** Writes each file without overwriting; on any failure removes what this call created. */
function writeAll(root: string, files: readonly { path: string; text: string }[]): void {
  const created: string[] = [];
  try {
    for (const file of files) {
      const absolute = path.join(root, file.path);
      let dir = path.dirname(absolute);
      const newDirs: string[] = [];
      while (!fs.existsSync(dir)) {
        newDirs.unshift(dir);
        dir = path.dirname(dir);
      }
      for (const d of newDirs) {
        fs.mkdirSync(d);
        created.push(d);
      }
      fs.writeFileSync(absolute, file.text, { flag: 'wx' });
      created.push(absolute);
    }
  } catch (err) {
    for (const p of created.reverse()) fs.rmSync(p, { recursive: true, force: true });
    if ((err as { code?: string }).code === 'EEXIST') {
      throw new CliError(
        `${(err as { path?: string }).path ?? 'a file'} appeared meanwhile; nothing was written`,
      );
    }
    throw err;
  }
}

const nextSteps = (name: string): string => {
  const paths = scaffoldPaths(name);
  return `
Next steps:
  1. Edit ${paths.schema}: describe what the tool does (the agent picks operations by their description) and
     replace the example operation. Check it: npx kass schemas check ${paths.schema}
  2. Regenerate the handler types: npx tsx action-groups/kit/codegen/cli.ts
  3. Implement the operations in ${paths.domain} (pure) and ${paths.tool}, and their test in ${paths.test}.
     AWS resources the tool uses go in ${paths.needs} (infra grants them), their adapters next to the domain,
     wired in ${paths.handler}.
  4. Try it locally: npx kass tool ${name} ${EXAMPLE_OPERATION.operationId} --param name=Ada --local
     Test it:        npx jest tests/action-groups/${name}
  5. npm run synth picks the tool up (one Lambda + one action group): no infra edit.
`;
};

/** `kass new-tool <name> [--root <dir>]` */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) {
    throw new CliError(
      `${name === undefined ? 'missing the tool name' : 'expected one tool name'}\n\n${usage}`,
      2,
    );
  }
  const problem = nameProblem(name);
  if (problem) throw new CliError(`invalid tool name '${name}': ${problem}`, 2);
  const root = values.root === undefined ? REPO_ROOT : path.resolve(io.cwd, values.root);
  if (!fs.existsSync(path.join(root, 'schemas'))) {
    throw new CliError(`${root} is not a KASS repository: it has no schemas/ folder`, 2);
  }
  const taken = existing(root, name);
  if (taken.length > 0) {
    throw new CliError(
      `tool '${name}' already exists (${taken.join(', ')}); refusing to overwrite. Choose another name, or delete those files first.`,
    );
  }
  const files = scaffoldFiles(name);
  writeAll(root, files);
  io.stdout.write(`Created tool '${name}':\n${files.map((f) => `  ${f.path}\n`).join('')}${nextSteps(name)}`);
  return 0;
}
