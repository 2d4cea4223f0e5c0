import { isRecord as isObj } from '../../../contracts/json';
import { parseSchemaSource } from '../openapi/document';
import type { JsonSchema } from '../openapi/json-schema';
import { type Operation, readOperations, resolveSchema } from '../openapi/operations';

/**
 * Generates the handler types of one action group from its OpenAPI document, so handlers are typed by the
 * same document the agent and the runtime validation use. Pure: text in, text out.
 */

export interface GenerateOptions {
  /** Module the generated file imports `ToolContext` and `WithStatus` from. @default '../kit/tool' */
  readonly kitImport?: string;
  /** Schema path named in the header. @default `schemas/<group>.yaml` */
  readonly source?: string;
}

type Obj = Record<string, unknown>;

/** `list-tickets`, `list_tickets` and `listTickets` all become `ListTickets`. */
export function pascalCase(name: string): string {
  const out = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return /^[A-Za-z]/.test(out) ? out : `Op${out}`;
}

const propertyKey = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key));

/** Text for a JSDoc line: one line, no comment terminator. */
const docText = (text: string): string => text.replace(/\s+/g, ' ').replace(/\*\//g, '*\\/').trim();

function docComment(text: string | undefined, indent: string): string[] {
  return text?.trim() ? [`${indent}/** ${docText(text)} */`] : [];
}

interface Field {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
  readonly description?: string;
}

function renderFields(fields: readonly Field[], indent: string): string {
  if (fields.length === 0) return 'Record<string, never>';
  const inner = `${indent}  `;
  const lines = fields.flatMap((f) => [
    ...docComment(f.description ?? f.schema.description, inner),
    `${inner}${propertyKey(f.name)}${f.required ? '' : '?'}: ${tsType(f.schema, inner)};`,
  ]);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The TypeScript type of a schema (the OpenAPI 3.0 subset Bedrock accepts). */
function tsType(schema: JsonSchema, indent: string): string {
  const base = baseType(schema, indent);
  return schema.nullable === true ? `${base} | null` : base;
}

function baseType(schema: JsonSchema, indent: string): string {
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      if (!schema.items) return 'unknown[]';
      const item = tsType(schema.items, indent);
      return /^[\w.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object': {
      if (schema.properties) return renderFields(objectFields(schema), indent);
      if (isObj(schema.additionalProperties)) {
        return `Record<string, ${tsType(schema.additionalProperties as JsonSchema, indent)}>`;
      }
      return 'Record<string, unknown>';
    }
    default:
      return 'unknown';
  }
}

/**
 * Properties of an object schema. At the top level of a body the kit fills in defaults, so a property with a
 * default is always present there; nested defaults are not applied.
 */
function objectFields(schema: JsonSchema, topLevel = false): Field[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => ({
    name,
    schema: prop,
    required: required.has(name) || (topLevel && prop.default !== undefined),
  }));
}

/** The 200 (else 201, else first 2xx) JSON response schema of an operation. */
function responseSchema(doc: unknown, op: Operation): JsonSchema | undefined {
  let node: unknown = doc;
  for (const key of op.pointer) node = isObj(node) ? node[String(key)] : undefined;
  const responses = isObj(node) && isObj(node.responses) ? node.responses : {};
  const code =
    ['200', '201'].find((c) => c in responses) ?? Object.keys(responses).find((c) => /^2\d\d$/.test(c));
  if (code === undefined) return undefined;
  const response = resolveSchema(doc, responses[code]) as Obj;
  const content = isObj(response.content) ? response.content : {};
  const media = content['application/json'] ?? Object.values(content)[0];
  return isObj(media) && media.schema !== undefined ? resolveSchema(doc, media.schema) : undefined;
}

function renderOperation(doc: unknown, op: Operation): string {
  const name = pascalCase(op.operationId);
  const params: Field[] = op.parameters.map((p) => ({
    name: p.name,
    schema: p.schema,
    required: p.required || p.schema.default !== undefined,
    description: p.description,
  }));
  const bodySchema = op.requestBody?.schema;
  // A body schema without properties is free-form: the kit passes its values through as text.
  const body = !bodySchema
    ? 'Record<string, never>'
    : bodySchema.properties
      ? renderFields(objectFields(bodySchema, true), '  ')
      : 'Record<string, string>';
  const output = responseSchema(doc, op);
  const outputType = output ? tsType(output, '') : 'unknown';
  const summary = `${op.operationId}: ${op.method} ${op.path}.${op.description ? ` ${op.description}` : ''}`;
  const outputDecl =
    outputType.startsWith('{') && output?.nullable !== true
      ? `export interface ${name}Output ${outputType}`
      : `export type ${name}Output = ${outputType};`;
  return [
    `/** Input of ${docText(summary)} */`,
    `export interface ${name}Input {`,
    `  params: ${renderFields(params, '  ')};`,
    `  body: ${body};`,
    '}',
    '',
    `/** Output of ${op.operationId} (its success response schema). */`,
    outputDecl,
  ].join('\n');
}

/** The `schema.generated.ts` text for one action group. */
export function generateToolTypes(schemaText: string, group: string, options: GenerateOptions = {}): string {
  const source = options.source ?? `schemas/${group}.yaml`;
  const doc = parseSchemaSource(schemaText, source).document;
  const ops = readOperations(doc).filter((op) => op.operationId);
  const groupName = pascalCase(group);
  const handlerLines = ops.map((op) => {
    const name = pascalCase(op.operationId);
    return `  ${propertyKey(op.operationId)}: (input: ${name}Input, ctx: ToolContext) => Promise<${name}Output | WithStatus<${name}Output>>;`;
  });
  return [
    `// Generated from ${source} by action-groups/kit/codegen/cli.ts. Do not edit by hand.`,
    '// Regenerate: npx tsx action-groups/kit/codegen/cli.ts (CI: --check)',
    '',
    `import type { ToolContext, WithStatus } from '${options.kitImport ?? '../kit/tool'}';`,
    '',
    ...ops.flatMap((op) => [renderOperation(doc, op), '']),
    `/** Handlers of the ${group} action group: \`defineTool<${groupName}Operations>({ ... })\`. */`,
    `export type ${groupName}Operations = {`,
    ...handlerLines,
    '};',
    '',
  ].join('\n');
}
