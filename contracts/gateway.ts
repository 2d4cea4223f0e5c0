/**
 * What the AgentCore gateway and the tools agree on (pure data: `infra/` reads it at synth, the kit and the
 * chat functions at run time).
 */

/** The gateway-target header that carries the caller's identity assertion (allow-listed on every target). */
export const IDENTITY_HEADER = 'baggage';

/** The identity key is an HMAC_256 KMS key; this is its MAC algorithm. */
export const IDENTITY_MAC_ALGORITHM = 'HMAC_SHA_256';

/** The gateway's `SchemaDefinition` type names. */
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
