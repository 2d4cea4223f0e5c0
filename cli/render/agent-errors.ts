import type { PendingReturnControl } from '../../client';
import { endpointVariable, explainNetworkFailure } from '../aws/network';
import { describeInput } from './trace-line';

/** What the messages can name: which agent was called, where, and how its ids were chosen. */
export interface AgentTarget {
  /** Classic: the agent and alias ids. AgentCore: the harness name and the endpoint. */
  readonly agentId: string;
  readonly agentAliasId: string;
  /** @default 'classic' */
  readonly engine?: 'classic' | 'agentcore';
  readonly stage: string;
  readonly region?: string;
  /** Where the last request went (`https://bedrock-agent-runtime.<region>.amazonaws.com`, or an override). */
  readonly endpoint?: string;
  /** Seconds of silence the turn was allowed (`--timeout`). */
  readonly timeoutSeconds?: number;
}

/** A message for the user and the exit code of a one-shot command. */
export interface Explanation {
  readonly message: string;
  readonly exitCode: number;
}

const MODEL_ID =
  /\b(?:(?:us|eu|apac|global|jp|au|us-gov)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|writer|qwen)\.[\w.:-]+[\w]/i;

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** What the endpoint check says: the override in force, or the region that names the AWS endpoint. */
function endpointCheck(env: NodeJS.ProcessEnv): string {
  const variable = endpointVariable('Bedrock Agent Runtime');
  const override = env[variable] ? variable : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
  return override
    ? `${override}=${env[override]} is set: does that server answer InvokeAgent (HTTP/2)?`
    : `the region (${env.AWS_REGION ?? 'from your profile'}) and no endpoint override (${variable})`;
}

/** The agent, alias and region, for messages. */
const where = (t: AgentTarget): string =>
  t.engine === 'agentcore'
    ? `harness ${t.agentId}, endpoint ${t.agentAliasId}${t.region ? `, region ${t.region}` : ''}`
    : `agent ${t.agentId}, alias ${t.agentAliasId}${t.region ? `, region ${t.region}` : ''}`;

/** What the caller's identity must be allowed, on the engine it called. */
const invokePermission = (t: AgentTarget): string =>
  t.engine === 'agentcore'
    ? 'bedrock-agentcore:InvokeHarness and bedrock-agentcore:InvokeAgentRuntime on this harness'
    : 'bedrock:InvokeAgent on this alias';

/**
 * Turns a failed turn into what to do about it. Recognises the `AgentError` classes by `name` (not
 * `instanceof`: the client is loaded lazily) and SDK credential/region errors.
 */
export function explainAgentError(
  error: unknown,
  target: AgentTarget,
  env: NodeJS.ProcessEnv = process.env,
): Explanation {
  const service = {
    service: 'Bedrock Agent Runtime',
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
  };
  const unreachable = explainNetworkFailure(error, service, env, { timeoutFlag: '--timeout' });
  if (unreachable) return { message: `${unreachable}\n(Calling ${where(target)}.)`, exitCode: 1 };
  const name = String(field(error, 'name') ?? '');
  const exceptionName = String(field(error, 'exceptionName') ?? name);
  const rawMessage = field(error, 'message');
  const message = typeof rawMessage === 'string' ? rawMessage : String(error);
  const attempts = Number(field(error, 'attempts') ?? 1);
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  switch (name) {
    case 'AgentAccessDeniedError': {
      if (/model/i.test(message)) {
        const model = MODEL_ID.exec(message)?.[0];
        return {
          message:
            `Access denied to the agent's model${model ? ` ${model}` : ''}: enable model access for ${model ?? "the agent's model"} ` +
            `in the Bedrock console (Model access${target.region ? `, region ${target.region}` : ''}; for a cross-region ` +
            `inference profile, in every region it routes to). Service message: ${message}`,
          exitCode: 1,
        };
      }
      return {
        message:
          `Access denied calling ${where(target)}: your AWS identity needs ${invokePermission(target)} ` +
          `(check AWS_PROFILE / credentials). Service message: ${message}`,
        exitCode: 1,
      };
    }
    case 'AgentNotFoundError':
      return {
        message:
          target.engine === 'agentcore'
            ? `Not found: ${where(target)}. The harness or endpoint is wrong or the stack is not deployed here; check ` +
              `KASS_HARNESS_ARN / KASS_HARNESS_QUALIFIER (or the outputs of stack kass-${target.stage}) and AWS_REGION. ` +
              `Service message: ${message}`
            : `Not found: ${where(target)}. The agent/alias id is wrong or the stack is not deployed here; check --agent-id and ` +
              `--agent-alias-id (or KASS_AGENT_ID / KASS_AGENT_ALIAS_ID, or the outputs of stack kass-${target.stage}) and ` +
              `AWS_REGION. Service message: ${message}`,
        exitCode: 1,
      };
    case 'AgentThrottledError':
      return {
        message:
          `Bedrock is throttling requests${tries}. Wait a minute and try again; if it persists, raise the model's ` +
          `tokens-per-minute quota (Service Quotas). Service message: ${message}`,
        exitCode: 1,
      };
    case 'AgentModelNotReadyError':
      return {
        message: `The agent's model is not ready${tries}. Try again in a minute. Service message: ${message}`,
        exitCode: 1,
      };
    case 'AgentValidationError':
      return exceptionName === 'InvalidParameter'
        ? { message, exitCode: 2 }
        : { message: `Bedrock rejected the request (ValidationException): ${message}`, exitCode: 1 };
    case 'AgentDependencyError':
      return {
        message:
          `A dependency of the agent failed (${exceptionName}): a tool Lambda, the knowledge base or the model. ` +
          `Run with --trace to see the failing step. Service message: ${message}`,
        exitCode: 1,
      };
    default:
      break;
  }
  if (exceptionName === 'TimeoutError' || /timed out/i.test(message)) {
    const seconds = target.timeoutSeconds !== undefined ? `${target.timeoutSeconds} s` : 'the timeout';
    return {
      message:
        `No answer from Bedrock Agent Runtime${target.endpoint ? ` at ${target.endpoint}` : ''} for ${seconds} ` +
        `(${where(target)}): the request was sent but nothing came back. Check:\n` +
        `  - the endpoint: ${endpointCheck(env)}\n` +
        '  - your network path: VPN, firewall or corporate proxy (the AWS SDK does not read HTTPS_PROXY)\n' +
        `  - a long tool call: allow more with --timeout (now ${seconds}), or run kass chat --trace to see the step`,
      exitCode: 1,
    };
  }
  if (exceptionName === 'CredentialsProviderError' || /credential/i.test(message)) {
    return {
      message: `No AWS credentials found to call the agent. Configure a profile (AWS_PROFILE) or credentials. (${message})`,
      exitCode: 1,
    };
  }
  if (/region/i.test(message) && /missing|not configured/i.test(message)) {
    return {
      message: `No AWS region configured. Set AWS_REGION (or a profile with a region). (${message})`,
      exitCode: 1,
    };
  }
  return { message: `${exceptionName || 'Error'}: ${message}`, exitCode: 1 };
}

/** The message for tool calls the agent handed back while `--local-tools` was off. */
export function unhandledReturnControl(pending: PendingReturnControl, stage: string): string {
  const calls = pending.inputs.map(describeInput).join('; ');
  return (
    `The agent handed tool calls back to this client (${calls}): its action groups use return of control ` +
    `(e.g. stage local). Run with --local-tools to run them on this machine, or use a stage whose tools run in ` +
    `Lambda (current stage: ${stage}).`
  );
}
