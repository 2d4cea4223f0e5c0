import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';

/** A JSON pointer as a list of keys and indexes, e.g. ['paths', '/tickets', 'post']. */
export type Pointer = readonly (string | number)[];

/** A parsed OpenAPI document with the source line of every node, for messages like `report.yaml:12`. */
export interface SchemaSource {
  readonly file: string;
  readonly document: unknown;
  /** 1-based line of the node at `pointer`, or of its nearest existing ancestor. */
  lineOf(pointer: Pointer): number;
}

/** The YAML (or JSON) text is not a parseable document. */
export class SchemaSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: not valid YAML: ${detail}`);
    this.name = 'SchemaSyntaxError';
  }
}

/**
 * Parses YAML or JSON text, keeping line positions (JSON is YAML, so one parser serves both). A compact JSON
 * document — how Lambda bundles carry the schemas (infra/bundling) — is read with JSON.parse instead: the
 * runtime needs the document, not line numbers, and JSON.parse is far faster than the YAML parser.
 */
export function parseSchemaSource(text: string, file: string): SchemaSource {
  const json = bundledJson(text);
  if (json !== undefined) return { file, document: json, lineOf: () => 1 };
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const firstError = yamlDoc.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new SchemaSyntaxError(file, line, firstError.message.split('\n')[0] ?? firstError.code);
  }
  const lineOf = (pointer: Pointer): number => {
    let node: unknown = yamlDoc.contents;
    let line = 1;
    for (const key of pointer) {
      const range = (node as { range?: [number, number, number] } | null)?.range;
      if (range) line = lineCounter.linePos(range[0]).line;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(key),
        );
        if (!pair) return line;
        const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
        if (keyRange) line = lineCounter.linePos(keyRange[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
      } else {
        return line;
      }
    }
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : line;
  };
  return { file, document: yamlDoc.toJS({ maxAliasCount: 50 }), lineOf };
}

/** The document of a single-line JSON object (the bundled form), or undefined for anything else. */
function bundledJson(text: string): unknown {
  if (!text.startsWith('{') || text.includes('\n')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Prefix of the project's own OpenAPI extensions (e.g. `x-kass-readOnly`), read by `kass schemas check`. */
export const KASS_EXTENSION_PREFIX = 'x-kass-';

/**
 * The document as the agent gets it: the KASS extensions removed (they are for the repository's checks, and
 * Bedrock documents only `x-requireConfirmation`), everything else — comments included — unchanged.
 */
export function withoutKassExtensions(text: string): string {
  const doc = parseDocument(text);
  let removed = false;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && String(pair.key.value).startsWith(KASS_EXTENSION_PREFIX)) {
        removed = true;
        return visit.REMOVE;
      }
      return undefined;
    },
  });
  return removed ? doc.toString({ lineWidth: 0 }) : text;
}
