import type { SchemaSource } from '../openapi/document';
import { type Finding, findingAt } from './finding';
import { MAX_GATEWAY_TOOLS } from './patterns';
import { eachOperation } from './walk';

const RULE = 'gateway-tool-count';

/** A rule over all schema files together (one gateway carries every tool). */
export type SchemaSetRule = (sources: readonly SchemaSource[]) => Finding[];

/**
 * All schema files together declare at most MAX_GATEWAY_TOOLS operations: on the AgentCore engine each is one
 * gateway tool, and the knowledge tool comes on top. Reported at the first operation past the limit.
 */
export const gatewayToolCount: SchemaSetRule = (sources) => {
  const all = sources.flatMap((source) =>
    eachOperation(source.document).map((operation) => ({ source, operation })),
  );
  // One more tool than the schemas declare: the gateway also carries the knowledge tool.
  const limit = MAX_GATEWAY_TOOLS - 1;
  const first = all[limit];
  if (!first) return [];
  return [
    findingAt(
      RULE,
      first.source,
      first.operation.pointer,
      `the schemas declare ${all.length} operations; with the knowledge tool the AgentCore gateway would carry ${all.length + 1} tools, and KASS allows at most ${MAX_GATEWAY_TOOLS} (each tool definition is sent with every model call): merge or remove operations (from ${first.operation.method} ${first.operation.path} on)`,
    ),
  ];
};
