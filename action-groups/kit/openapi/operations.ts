import { isRecord as isObj } from '../../../contracts/json';
import type { JsonSchema } from './json-schema';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Methods that change state: Bedrock should ask the user first (`x-requireConfirmation: ENABLED`). */
export const WRITE_METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export interface ParameterSpec {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
}

export interface RequestBodySpec {
  readonly required: boolean;
  readonly mediaType: string;
  readonly schema: JsonSchema;
}

/** One operation of an action group's OpenAPI document: what the agent can call. */
export interface Operation {
  readonly method: HttpMethod;
  /** The template path, as Bedrock sends it in `apiPath` (e.g. `/tickets/{ticketId}`). */
  readonly path: string;
  readonly operationId: string;
  readonly description: string;
  readonly parameters: readonly ParameterSpec[];
  readonly requestBody?: RequestBodySpec;
  readonly requireConfirmation: boolean;
  /** Where the operation stands in the document, for messages. */
  readonly pointer: readonly (string | number)[];
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Follows a local `#/components/...` reference; other refs are left alone (Bedrock resolves none). */
function deref(doc: Obj, value: unknown, depth = 0): unknown {
  if (!isObj(value) || typeof value.$ref !== 'string' || depth > 20) return value;
  const ref = value.$ref;
  if (!ref.startsWith('#/')) return value;
  let target: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    target = isObj(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return deref(doc, target, depth + 1);
}

/** Resolves local refs throughout a schema object so validators see plain schemas. */
export function resolveSchema(doc: unknown, schema: unknown, depth = 0): JsonSchema {
  if (!isObj(doc)) return {};
  const resolved = deref(doc, schema);
  if (!isObj(resolved) || depth > 20) return {};
  const out: Obj = { ...resolved };
  if (isObj(resolved.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(resolved.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1)]),
    );
  }
  if (resolved.items !== undefined) out.items = resolveSchema(doc, resolved.items, depth + 1);
  return out as JsonSchema;
}

/**
 * Lists the operations of an OpenAPI document. Tolerant: parts that are not objects are skipped,
 * because the contract rules (not this reader) report malformed documents.
 */
export function readOperations(doc: unknown): Operation[] {
  if (!isObj(doc) || !isObj(doc.paths)) return [];
  const operations: Operation[] = [];
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    if (!isObj(pathItem)) continue;
    const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
    for (const [methodKey, op] of Object.entries(pathItem)) {
      const method = methodKey.toUpperCase() as HttpMethod;
      if (!HTTP_METHODS.includes(method) || !isObj(op)) continue;
      const own = Array.isArray(op.parameters) ? op.parameters : [];
      const parameters = [...shared, ...own]
        .map((p) => deref(doc, p))
        .filter(isObj)
        .map(
          (p): ParameterSpec => ({
            name: str(p.name),
            in: str(p.in),
            required: p.required === true || p.in === 'path',
            description: str(p.description),
            schema: resolveSchema(doc, p.schema ?? { type: 'string' }),
          }),
        );
      const body = deref(doc, op.requestBody);
      let requestBody: RequestBodySpec | undefined;
      if (isObj(body) && isObj(body.content)) {
        const [mediaType, media] = Object.entries(body.content)[0] ?? [];
        if (mediaType && isObj(media)) {
          requestBody = {
            required: body.required === true,
            mediaType,
            schema: resolveSchema(doc, media.schema),
          };
        }
      }
      operations.push({
        method,
        path,
        operationId: str(op.operationId),
        description: str(op.description),
        parameters,
        ...(requestBody ? { requestBody } : {}),
        requireConfirmation: op['x-requireConfirmation'] === 'ENABLED',
        pointer: ['paths', path, methodKey],
      });
    }
  }
  return operations;
}

/** The Claude tool name Bedrock builds for an operation: `verb__group__operationId` (≤ 64 chars). */
export const toolNameOf = (group: string, op: Pick<Operation, 'method' | 'operationId'>): string =>
  `${op.method.toLowerCase()}__${group}__${op.operationId}`;
