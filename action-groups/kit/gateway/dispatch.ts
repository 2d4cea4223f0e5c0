import type { Context } from 'aws-lambda';
import { GATEWAY_IDENTITY_ENV } from '../../../contracts/function-env';
import { isRecord } from '../../../contracts/json';
import { type ApiOutcome, type CompiledOperation, clipRoute, type Outcome, UNROUTED } from '../call-outcome';
import type { AgentApiEvent, EventRouting } from '../event';
import type { Operation } from '../openapi/operations';
import { logger } from '../powertools';
import type { AgentApiResponse } from '../response';
import { GATEWAY_CONTEXT_KEYS, toGatewayApiEvent, toGatewayResult, toolOfName } from './call';
import { type IdentityVerifier, identityTokenOf, verifyIdentity } from './identity';
import { defaultKmsClient, kmsIdentityVerifier } from './kms-identity';

/** What the gateway dispatcher needs of the tool being defined. */
export interface GatewayDispatchOptions {
  readonly name: string;
  readonly operations: readonly Operation[];
  readonly byOperationId: ReadonlyMap<string, CompiledOperation>;
  readonly respond: (routing: EventRouting, status: number, body: unknown) => AgentApiResponse;
  /** Runs the OpenAPI call a gateway call stands for. */
  readonly dispatchApi: (event: AgentApiEvent, context: Context | undefined) => Promise<ApiOutcome>;
  /** @default the KMS verifier of the function's identity key (GATEWAY_IDENTITY_ENV), if it has one */
  readonly identityVerifier?: IdentityVerifier;
}

/**
 * Answers AgentCore gateway calls: the tool name from the client context picks the operation, writes are
 * refused (they need the user's confirmation, which a gateway cannot ask for), the identity assertion is
 * verified once per container and token (a turn's tool calls share one), and the call runs as its OpenAPI call.
 */
export function gatewayDispatcher(options: GatewayDispatchOptions) {
  const { name: toolName, operations, byOperationId, respond, dispatchApi } = options;
  const { identityKeyArn } = GATEWAY_IDENTITY_ENV.read();
  const verifier =
    options.identityVerifier ??
    (identityKeyArn ? kmsIdentityVerifier(defaultKmsClient(), identityKeyArn) : undefined);
  const verified = new Map<string, { attributes: Record<string, string> | undefined; until: number }>();

  /** The session attributes a gateway call's assertion vouches for; `{}` (no identity) for anything else. */
  async function gatewayIdentity(custom: Record<string, unknown>): Promise<Record<string, string>> {
    const token = identityTokenOf(custom);
    if (token === undefined) return {};
    if (!verifier) {
      logger.warn('gateway call carries an identity assertion but no verifier is configured; no identity');
      return {};
    }
    const now = Date.now();
    const cached = verified.get(token);
    if (cached && cached.until > now) return { ...cached.attributes };
    const attributes = await verifyIdentity(verifier, token, now);
    if (!attributes) logger.warn('gateway call identity assertion rejected; the call runs without identity');
    if (verified.size >= 100) verified.clear();
    verified.set(token, { attributes, until: now + 60_000 });
    return { ...attributes };
  }

  /** A gateway call runs as the OpenAPI call it stands for, then is answered in the gateway's shape. */
  async function dispatchGateway(
    args: unknown,
    context: Context | undefined,
    custom: Record<string, unknown> | undefined,
  ): Promise<Outcome> {
    const fail = (status: number, route: string, body: unknown): Outcome => {
      const api = respond({ actionGroup: toolName }, status, body);
      return { operation: UNROUTED, route, status, response: toGatewayResult(api) };
    };
    const available = operations.map((op) => op.operationId);
    if (!custom) {
      return fail(400, 'gateway malformed', {
        error:
          'The tool call is malformed: it has no AgentCore gateway client context (bedrockAgentCoreToolName), so the tool cannot tell which operation to run.',
        availableTools: available,
      });
    }
    const name = custom[GATEWAY_CONTEXT_KEYS.toolName];
    if (typeof name !== 'string' || name === '') {
      return fail(400, 'gateway malformed', {
        error: 'The tool call is malformed: the gateway sent no tool name.',
        availableTools: available,
      });
    }
    const { tool } = toolOfName(name);
    const route = `gateway ${clipRoute(name)}`;
    const compiled = byOperationId.get(tool);
    if (!compiled) {
      return fail(404, route, {
        error: `This tool has no operation ${clipRoute(tool)}. Use one of the available tools.`,
        availableTools: available,
      });
    }
    // Writes run only after the user confirms, which a gateway cannot ask for: the chat API runs them itself
    // (inline functions, invoked directly, without a gateway id). The targets do not list them either.
    if (compiled.op.requireConfirmation && typeof custom[GATEWAY_CONTEXT_KEYS.gatewayId] === 'string') {
      return fail(403, route, {
        error: `${compiled.op.operationId} changes data and needs the user's confirmation first; it cannot run through the gateway.`,
      });
    }
    if (args !== undefined && args !== null && !isRecord(args)) {
      return fail(400, route, {
        error:
          'Invalid input. The tool arguments must be a JSON object of named fields; call the tool again.',
        availableTools: available,
      });
    }
    const sessionAttributes = await gatewayIdentity(custom);
    const text = (key: string): string | undefined =>
      typeof custom[key] === 'string' ? (custom[key] as string) : undefined;
    // The conversation is the session, as on Classic; a call without identity gets a session of its own.
    const sessionId =
      sessionAttributes.conversationId ??
      `gateway-${text(GATEWAY_CONTEXT_KEYS.messageId) ?? text(GATEWAY_CONTEXT_KEYS.requestId) ?? context?.awsRequestId ?? 'call'}`;
    const built = toGatewayApiEvent(isRecord(args) ? args : {}, compiled.op, {
      actionGroup: toolName,
      sessionId,
      gatewayId: text(GATEWAY_CONTEXT_KEYS.gatewayId) ?? '',
      targetId: text(GATEWAY_CONTEXT_KEYS.targetId) ?? '',
      sessionAttributes,
    });
    if (!built.ok) {
      return {
        ...fail(400, route, {
          error: 'Invalid input. Fix these fields and call the tool again.',
          fields: built.fields,
        }),
        operation: compiled.op.operationId,
        sessionId,
      };
    }
    const outcome = await dispatchApi(built.event, context);
    return { ...outcome, route, response: toGatewayResult(outcome.response) };
  }

  return dispatchGateway;
}
