import { isRecord } from '../../../contracts/json';
import type { Pointer } from '../openapi/document';
import { HTTP_METHODS, type HttpMethod } from '../openapi/operations';

/**
 * Raw traversal of an OpenAPI document for the rules. Unlike `readOperations`, it keeps every node's pointer
 * and never fills in defaults, so a rule can say exactly which field is missing and where.
 */

export type Obj = Record<string, unknown>;

/** A plain object (the contracts' guard under the rules' name). */
export const isObj = isRecord;

/** A value and where it stands in the document. */
export interface Located<T = unknown> {
  readonly value: T;
  readonly pointer: Pointer;
}

/** One operation as written: `paths[path][methodKey]`. */
export interface RawOperation {
  readonly path: string;
  readonly methodKey: string;
  readonly method: HttpMethod;
  readonly op: Obj;
  readonly pathItem: Obj;
  readonly pointer: Pointer;
}

/**
 * Lists the operations of the document in document order (the same ones `readOperations` sees).
 * @param doc the parsed document
 */
export function eachOperation(doc: unknown): RawOperation[] {
  if (!isObj(doc) || !isObj(doc.paths)) return [];
  const operations: RawOperation[] = [];
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    if (!isObj(pathItem)) continue;
    for (const [methodKey, op] of Object.entries(pathItem)) {
      const method = methodKey.toUpperCase() as HttpMethod;
      if (!HTTP_METHODS.includes(method) || !isObj(op)) continue;
      operations.push({ path, methodKey, method, op, pathItem, pointer: ['paths', path, methodKey] });
    }
  }
  return operations;
}

/** Human name of an operation for messages: `POST /tickets`. */
export const operationLabel = (operation: Pick<RawOperation, 'method' | 'path'>): string =>
  `${operation.method} ${operation.path}`;

/**
 * Follows local `$ref`s (`#/components/...`) from `value` at `pointer`.
 * @returns the target and its pointer, or `undefined` when a reference does not resolve (or is not local)
 */
export function resolveRef(doc: unknown, value: unknown, pointer: Pointer): Located | undefined {
  let current: Located = { value, pointer };
  for (let hops = 0; hops < 20; hops++) {
    if (!isObj(current.value) || typeof current.value.$ref !== 'string') return current;
    const ref = current.value.$ref;
    if (!ref.startsWith('#/')) return undefined;
    const parts = ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target: unknown = doc;
    for (const part of parts) target = isObj(target) ? target[part] : undefined;
    if (target === undefined) return undefined;
    current = { value: target, pointer: parts };
  }
  return undefined;
}

/** A parameter object as written (references are listed where they point, not where they are used). */
export interface RawParameter {
  readonly param: Obj;
  readonly pointer: Pointer;
  /** The operation using it; absent for `components.parameters` entries. */
  readonly operation?: RawOperation;
}

const inlineParameters = (list: unknown, pointer: Pointer): RawParameter[] =>
  Array.isArray(list)
    ? list.flatMap((param, i) =>
        isObj(param) && param.$ref === undefined ? [{ param, pointer: [...pointer, 'parameters', i] }] : [],
      )
    : [];

/**
 * Every parameter declaration once: path-level, operation-level and `components.parameters`
 * (a `$ref` entry is checked at its target).
 */
export function parameterDeclarations(doc: unknown): RawParameter[] {
  if (!isObj(doc)) return [];
  const declarations: RawParameter[] = [];
  if (isObj(doc.paths)) {
    for (const [path, pathItem] of Object.entries(doc.paths)) {
      if (isObj(pathItem)) declarations.push(...inlineParameters(pathItem.parameters, ['paths', path]));
    }
  }
  for (const operation of eachOperation(doc)) {
    declarations.push(
      ...inlineParameters(operation.op.parameters, operation.pointer).map((p) => ({ ...p, operation })),
    );
  }
  const components =
    isObj(doc.components) && isObj(doc.components.parameters) ? doc.components.parameters : {};
  for (const [name, param] of Object.entries(components)) {
    if (isObj(param)) declarations.push({ param, pointer: ['components', 'parameters', name] });
  }
  return declarations;
}

/**
 * The parameters an operation takes: path-level ones overridden by operation-level ones of the same
 * name and location, with references resolved (unresolvable ones are left out).
 */
export function effectiveParameters(doc: unknown, operation: RawOperation): RawParameter[] {
  const collect = (list: unknown, pointer: Pointer): RawParameter[] =>
    Array.isArray(list)
      ? list.flatMap((entry, i) => {
          const target = resolveRef(doc, entry, [...pointer, 'parameters', i]);
          return target && isObj(target.value)
            ? [{ param: target.value, pointer: target.pointer, operation }]
            : [];
        })
      : [];
  const own = collect(operation.op.parameters, operation.pointer);
  const key = (p: RawParameter) => `${String(p.param.in)} ${String(p.param.name)}`;
  const ownKeys = new Set(own.map(key));
  const shared = collect(operation.pathItem.parameters, ['paths', operation.path]).filter(
    (p) => !ownKeys.has(key(p)),
  );
  return [...shared, ...own];
}

/** How a schema node is reached from its parent, for messages. */
export type SchemaRole = 'root' | 'property' | 'items' | 'additionalProperties' | 'composition';

/** One schema object somewhere in the document. */
export interface SchemaNode {
  /** The schema as written: may be a non-object when the document is malformed. */
  readonly schema: unknown;
  readonly pointer: Pointer;
  readonly role: SchemaRole;
  /** The property name when `role` is `property`. */
  readonly name?: string;
}

const MAX_DEPTH = 64;

function collectSchema(nodes: SchemaNode[], node: SchemaNode, depth: number): void {
  nodes.push(node);
  const { schema, pointer } = node;
  if (!isObj(schema) || schema.$ref !== undefined || depth > MAX_DEPTH) return;
  if (isObj(schema.properties)) {
    for (const [name, child] of Object.entries(schema.properties)) {
      collectSchema(
        nodes,
        { schema: child, pointer: [...pointer, 'properties', name], role: 'property', name },
        depth + 1,
      );
    }
  }
  if (schema.items !== undefined) {
    collectSchema(nodes, { schema: schema.items, pointer: [...pointer, 'items'], role: 'items' }, depth + 1);
  }
  if (isObj(schema.additionalProperties)) {
    const child = { schema: schema.additionalProperties, pointer: [...pointer, 'additionalProperties'] };
    collectSchema(nodes, { ...child, role: 'additionalProperties' }, depth + 1);
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (!Array.isArray(list)) continue;
    list.forEach((child, i) => {
      collectSchema(
        nodes,
        { schema: child, pointer: [...pointer, keyword, i], role: 'composition' },
        depth + 1,
      );
    });
  }
  if (schema.not !== undefined) {
    collectSchema(
      nodes,
      { schema: schema.not, pointer: [...pointer, 'not'], role: 'composition' },
      depth + 1,
    );
  }
}

/** Schemas under `container.content[mediaType].schema`. */
const contentSchemas = (container: unknown, pointer: Pointer): Located[] =>
  isObj(container) && isObj(container.content)
    ? Object.entries(container.content).flatMap(([mediaType, media]) =>
        isObj(media) && media.schema !== undefined
          ? [{ value: media.schema, pointer: [...pointer, 'content', mediaType, 'schema'] }]
          : [],
      )
    : [];

/**
 * Every schema object in the document, each once, with its nested properties, items and compositions:
 * parameter schemas, request bodies, responses and everything under `components`. A `$ref` schema is
 * listed but not followed (its target is listed where it is defined).
 */
export function walkSchemas(doc: unknown): SchemaNode[] {
  if (!isObj(doc)) return [];
  const roots: Located[] = [];
  for (const { param, pointer } of parameterDeclarations(doc)) {
    if (param.schema !== undefined) roots.push({ value: param.schema, pointer: [...pointer, 'schema'] });
    roots.push(...contentSchemas(param, pointer));
  }
  for (const { op, pointer } of eachOperation(doc)) {
    if (isObj(op.requestBody) && op.requestBody.$ref === undefined) {
      roots.push(...contentSchemas(op.requestBody, [...pointer, 'requestBody']));
    }
    if (isObj(op.responses)) {
      for (const [code, response] of Object.entries(op.responses)) {
        if (isObj(response) && response.$ref === undefined) {
          roots.push(...contentSchemas(response, [...pointer, 'responses', code]));
        }
      }
    }
  }
  const components = isObj(doc.components) ? doc.components : {};
  if (isObj(components.schemas)) {
    for (const [name, schema] of Object.entries(components.schemas)) {
      roots.push({ value: schema, pointer: ['components', 'schemas', name] });
    }
  }
  for (const section of ['requestBodies', 'responses'] as const) {
    const entries = components[section];
    if (!isObj(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      roots.push(...contentSchemas(entry, ['components', section, name]));
    }
  }
  const nodes: SchemaNode[] = [];
  for (const root of roots)
    collectSchema(nodes, { schema: root.value, pointer: root.pointer, role: 'root' }, 0);
  return nodes;
}
