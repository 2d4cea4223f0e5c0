import { type Finding, findingAt } from '../schema-rules/finding';
import { eachOperation, effectiveParameters, isObj, type Obj, resolveRef } from '../schema-rules/walk';
import type { Pointer, SchemaSource } from './document';
import type { HttpMethod } from './operations';

/**
 * OpenAPI operations → AgentCore gateway tool definitions (Lambda targets). The gateway's tool schema
 * (`SchemaDefinition`) has only `type`, `description`, `properties`, `required` and `items`, and a tool takes one
 * flat input object. So each operation becomes one tool named by its operationId whose input holds its path,
 * query and header parameters and its body properties side by side; `enum`, `format` and `default` are folded
 * into the description (the Lambda still validates against the full document). What cannot be expressed is
 * refused, located like every other schema rule: `oneOf`/`anyOf`/`allOf`/`not`, a name used twice, a body that
 * is not an object with properties.
 */

export type GatewaySchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/** The gateway's `SchemaDefinition`. */
export interface GatewaySchema {
  readonly type: GatewaySchemaType;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, GatewaySchema>>;
  readonly required?: readonly string[];
  readonly items?: GatewaySchema;
}

/** One tool of a Lambda target: `name` is the operationId, the model sees `<target>___<name>`. */
export interface GatewayTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: GatewaySchema;
}

/** Where a flattened input field goes back to when the call is rebuilt. */
export interface GatewayOperation {
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly requireConfirmation: boolean;
}

export interface GatewayConversion {
  readonly tools: readonly GatewayTool[];
  readonly operations: readonly GatewayOperation[];
  readonly findings: readonly Finding[];
}

/** The rule id of every conversion finding (also a `kass schemas check` rule). */
export const GATEWAY_COMPATIBLE_RULE = 'gateway-compatible';

const TYPES: readonly GatewaySchemaType[] = ['string', 'number', 'integer', 'boolean', 'array', 'object'];
const COMPOSITION = ['oneOf', 'anyOf', 'allOf', 'not'] as const;
/** Deepest nesting converted (the rules' walker stops at the same depth). */
const MAX_DEPTH = 32;

const sentence = (text: string): string => {
  const t = text.trim();
  return t === '' || /[.!?]$/.test(t) ? t : `${t}.`;
};

const literal = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** The description with what the gateway schema cannot say: allowed values, format, default. */
function foldedDescription(schema: Obj, description: string): string | undefined {
  const parts = [sentence(description)];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    parts.push(`One of: ${schema.enum.map(literal).join(', ')}.`);
  }
  if (typeof schema.format === 'string' && schema.format !== '') parts.push(`Format: ${schema.format}.`);
  if (schema.default !== undefined) parts.push(`Default: ${literal(schema.default)}.`);
  const text = parts.filter((p) => p !== '').join(' ');
  return text === '' ? undefined : text;
}

interface Context {
  readonly source: SchemaSource;
  readonly findings: Finding[];
  readonly label: string;
}

/** Converts one schema object (references followed); undefined when it cannot be, with a finding. */
function convertSchema(
  ctx: Context,
  raw: unknown,
  pointer: Pointer,
  description: string,
  depth: number,
): GatewaySchema | undefined {
  const target = resolveRef(ctx.source.document, raw, pointer);
  if (!target || !isObj(target.value)) {
    ctx.findings.push(
      findingAt(
        GATEWAY_COMPATIBLE_RULE,
        ctx.source,
        pointer,
        `${ctx.label}: this schema is not an object or its $ref does not resolve; the gateway tool cannot be generated`,
      ),
    );
    return undefined;
  }
  const schema = target.value;
  const at = target.pointer;
  for (const keyword of COMPOSITION) {
    if (schema[keyword] !== undefined) {
      ctx.findings.push(
        findingAt(
          GATEWAY_COMPATIBLE_RULE,
          ctx.source,
          [...at, keyword],
          `${ctx.label}: '${keyword}' cannot be expressed in an AgentCore gateway tool schema; describe one object with optional properties instead`,
        ),
      );
      return undefined;
    }
  }
  if (depth > MAX_DEPTH) {
    ctx.findings.push(
      findingAt(
        GATEWAY_COMPATIBLE_RULE,
        ctx.source,
        at,
        `${ctx.label}: schema nested deeper than ${MAX_DEPTH} levels`,
      ),
    );
    return undefined;
  }
  const type = (TYPES as readonly unknown[]).includes(schema.type)
    ? (schema.type as GatewaySchemaType)
    : 'string';
  const own = typeof schema.description === 'string' ? schema.description : '';
  const text = foldedDescription(schema, description || own);
  const out: { -readonly [K in keyof GatewaySchema]: GatewaySchema[K] } = { type };
  if (text) out.description = text;
  if (type === 'array' && schema.items !== undefined) {
    const items = convertSchema(ctx, schema.items, [...at, 'items'], '', depth + 1);
    if (!items) return undefined;
    out.items = items;
  }
  if (type === 'object' && isObj(schema.properties)) {
    const properties: Record<string, GatewaySchema> = {};
    for (const [name, child] of Object.entries(schema.properties)) {
      const converted = convertSchema(ctx, child, [...at, 'properties', name], '', depth + 1);
      if (!converted) return undefined;
      properties[name] = converted;
    }
    out.properties = properties;
    const required = Array.isArray(schema.required)
      ? schema.required.filter((r): r is string => typeof r === 'string' && r in properties)
      : [];
    if (required.length > 0) out.required = required;
  }
  return out;
}

/**
 * Converts every operation of an action-group document. `tools` and `operations` hold the operations that
 * converted; `findings` says, with file and line, why any other did not. Pure: the same input gives the same
 * output, so a changed schema changes the synthesized template and nothing else does.
 */
export function toGatewayTools(source: SchemaSource): GatewayConversion {
  const findings: Finding[] = [];
  const tools: GatewayTool[] = [];
  const operations: GatewayOperation[] = [];
  for (const operation of eachOperation(source.document)) {
    const { op } = operation;
    if (typeof op.operationId !== 'string' || op.operationId === '') continue;
    const label = `${operation.method} ${operation.path} (${op.operationId})`;
    const ctx: Context = { source, findings, label };
    const before = findings.length;
    const properties: Record<string, GatewaySchema> = {};
    const origin = new Map<string, string>();
    const required: string[] = [];
    const add = (
      name: string,
      schema: GatewaySchema | undefined,
      pointer: Pointer,
      from: string,
      isRequired: boolean,
    ) => {
      if (!schema) return;
      const earlier = origin.get(name);
      if (earlier) {
        findings.push(
          findingAt(
            GATEWAY_COMPATIBLE_RULE,
            source,
            pointer,
            `${label}: '${name}' is both a ${earlier} and a ${from}; a gateway tool takes one flat input, so rename one`,
          ),
        );
        return;
      }
      origin.set(name, from);
      properties[name] = schema;
      if (isRequired) required.push(name);
    };
    for (const { param, pointer } of effectiveParameters(source.document, operation)) {
      if (typeof param.name !== 'string') continue;
      const where = typeof param.in === 'string' ? param.in : 'query';
      const description = typeof param.description === 'string' ? param.description : '';
      const schema = convertSchema(
        ctx,
        param.schema ?? { type: 'string' },
        [...pointer, 'schema'],
        description,
        0,
      );
      add(
        param.name,
        schema,
        [...pointer, 'name'],
        `${where} parameter`,
        param.required === true || where === 'path',
      );
    }
    const bodyPointer: Pointer = [...operation.pointer, 'requestBody'];
    const body = resolveRef(source.document, op.requestBody, bodyPointer);
    if (body && isObj(body.value) && isObj(body.value.content)) {
      const [mediaType, media] = Object.entries(body.value.content)[0] ?? [];
      const mediaPointer: Pointer = [...body.pointer, 'content', mediaType ?? ''];
      const bodyRequired = body.value.required === true;
      const bodySchema = isObj(media)
        ? convertSchema(ctx, media.schema, [...mediaPointer, 'schema'], '', 0)
        : undefined;
      if (bodySchema && (bodySchema.type !== 'object' || !bodySchema.properties)) {
        findings.push(
          findingAt(
            GATEWAY_COMPATIBLE_RULE,
            source,
            [...mediaPointer, 'schema'],
            `${label}: the request body must be an object with properties to become gateway tool input; declare its properties`,
          ),
        );
      } else if (bodySchema?.properties) {
        const bodyRequiredNames = new Set(bodySchema.required ?? []);
        for (const [name, schema] of Object.entries(bodySchema.properties)) {
          add(
            name,
            schema,
            [...mediaPointer, 'schema', 'properties', name],
            'body property',
            bodyRequired && bodyRequiredNames.has(name),
          );
        }
      }
    }
    if (findings.length > before) continue;
    const description =
      typeof op.description === 'string' && op.description.trim() !== ''
        ? op.description.trim()
        : typeof op.summary === 'string'
          ? op.summary.trim()
          : label;
    tools.push({
      name: op.operationId,
      description,
      inputSchema: {
        type: 'object',
        properties,
        ...(required.length > 0 ? { required } : {}),
      },
    });
    operations.push({
      operationId: op.operationId,
      method: operation.method,
      path: operation.path,
      requireConfirmation: op['x-requireConfirmation'] === 'ENABLED',
    });
  }
  return { tools, operations, findings };
}
