import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSchemaSource } from '../../action-groups/kit/openapi/document';
import { type Operation, readOperations } from '../../action-groups/kit/openapi/operations';
import { checkSchemaText, SET_RULES } from '../../action-groups/kit/schema-rules';
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
}

/**
 * Finds every tool under `repoRoot`: each `schemas/*.yaml` is one action group whose handler must be
 * `action-groups/<name>/handler.ts`. Schemas are checked against Bedrock's rules here, so a bad schema
 * fails synth with file and line instead of failing the deploy with "Failed to create OpenAPI 3 model".
 */
export function discoverTools(repoRoot: string): DiscoveredTool[] {
  const schemasDir = path.join(repoRoot, 'schemas');
  const files = fs.existsSync(schemasDir)
    ? fs
        .readdirSync(schemasDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
    : [];
  const problems: string[] = [];
  const tools: DiscoveredTool[] = [];
  for (const file of files) {
    const name = file.slice(0, -'.yaml'.length);
    const schemaFile = path.join('schemas', file);
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
    tools.push({
      name,
      schemaFile,
      handlerEntry,
      schemaText,
      description,
      operations: readOperations(document),
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
