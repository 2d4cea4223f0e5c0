import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { type Operation, readOperations } from '../../action-groups/kit/openapi/operations';
import { checkSchemaText, SET_RULES } from '../../action-groups/kit/schema-rules';
import type { AnyToolNeeds } from '../../contracts/tool-needs';
import { needsProblems } from '../../contracts/tool-needs';
import { ConfigError } from '../config/config-error';

/** A tool found on disk: `schemas/<name>.yaml` paired with `action-groups/<name>/handler.ts`. */
export interface DiscoveredTool {
  readonly name: string;
  /** Paths relative to the repository root. */
  readonly schemaFile: string;
  readonly handlerEntry: string;
  readonly schemaText: string;
  /** `info.description` of the schema (the action group's description). */
  readonly description: string;
  readonly operations: readonly Operation[];
  /**
   * What the tool needs (`action-groups/<name>/needs.ts`, data the constructs grant exactly); absent for a
   * tool that needs nothing beyond the house tool Lambda.
   */
  readonly needs?: AnyToolNeeds;
}

/** A tool's descriptor, `action-groups/<name>/needs.ts`, relative to the repository root. */
export const needsFileOf = (name: string): string => path.join('action-groups', name, 'needs.ts');

/** Loads a tool's descriptor (its `needs` export), or the problems that make it unusable. */
function loadNeeds(repoRoot: string, name: string): { needs?: AnyToolNeeds; problems: string[] } {
  const file = needsFileOf(name);
  const absolute = path.join(repoRoot, file);
  if (!fs.existsSync(absolute)) return { problems: [] };
  let loaded: unknown;
  try {
    loaded = (require(absolute) as { needs?: unknown }).needs;
  } catch (error) {
    return {
      problems: [`${file}: cannot be loaded: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const problems = needsProblems(loaded);
  return problems.length > 0
    ? { problems: problems.map((p) => `${file}: ${p}`) }
    : { needs: loaded as AnyToolNeeds, problems: [] };
}

/**
 * Finds every tool under `repoRoot`: each `schemas/*.yaml` is one action group whose handler must be
 * `action-groups/<name>/handler.ts`. Schemas are checked against Bedrock's rules here, so a bad schema
 * fails synth with file and line instead of failing the deploy with "Failed to create OpenAPI 3 model".
 */
export function discoverTools(repoRoot: string): DiscoveredTool[] {
  const schemasDir = path.join(repoRoot, 'schemas');
  // In tool-name order (not file-name order: `a-b.yaml` sorts before `a.yaml`, tool `a` before `a-b`).
  const names = fs.existsSync(schemasDir)
    ? fs
        .readdirSync(schemasDir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -'.yaml'.length))
        .sort()
    : [];
  const problems: string[] = [];
  const tools: DiscoveredTool[] = [];
  for (const name of names) {
    const schemaFile = path.join('schemas', `${name}.yaml`);
    const handlerEntry = path.join('action-groups', name, 'handler.ts');
    const schemaText = fs.readFileSync(path.join(repoRoot, schemaFile), 'utf8');
    const findings = checkSchemaText(schemaText, schemaFile, name);
    for (const f of findings) problems.push(`${f.file}:${f.line}: [${f.rule}] ${f.message}`);
    if (!fs.existsSync(path.join(repoRoot, handlerEntry))) {
      problems.push(
        `${schemaFile}: no handler; create ${handlerEntry} (npm run new-tool -- ${name} scaffolds one)`,
      );
    }
    if (findings.length > 0) continue;
    const { document } = parseSchemaSource(schemaText, schemaFile);
    const info = (document as { info?: { description?: unknown; title?: unknown } }).info;
    const description =
      typeof info?.description === 'string' ? info.description : String(info?.title ?? name);
    if (description.length > 200) {
      problems.push(
        `${schemaFile}: info.description is ${description.length} characters; an action-group description may have at most 200`,
      );
    }
    const { needs, problems: needsProblems } = loadNeeds(repoRoot, name);
    problems.push(...needsProblems);
    tools.push({
      name,
      schemaFile,
      handlerEntry,
      schemaText,
      description,
      operations: readOperations(document),
      ...(needs ? { needs } : {}),
    });
  }
  // One AgentCore gateway carries every tool: the limits of the set apply across files.
  const sources = tools.map((tool) => parseSchemaSource(tool.schemaText, tool.schemaFile));
  for (const rule of Object.values(SET_RULES)) {
    for (const f of rule(sources)) problems.push(`${f.file}:${f.line}: [${f.rule}] ${f.message}`);
  }
  if (problems.length > 0) throw new ConfigError('action-group schemas', problems);
  return tools;
}
