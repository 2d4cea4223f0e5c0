import { toGatewayTools } from '../openapi/gateway-tools';
import type { SchemaRule } from './finding';

/**
 * Every operation converts into an AgentCore gateway tool (see `toGatewayTools`): no `oneOf`/`anyOf`/`allOf`/
 * `not`, no name shared by a parameter and a body property, a request body that is an object with properties.
 */
export const gatewayCompatible: SchemaRule = (source) => [...toGatewayTools(source).findings];
