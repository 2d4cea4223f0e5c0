import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ClientToolResult, ClientToolRunner } from './harness-client';

/**
 * Runs inline functions by invoking the tool's own Lambda the way the gateway would: the arguments as the event,
 * the tool name and the signed identity in the client context. Nothing but the tool Lambda decides what runs; the
 * caller only needs lambda:InvokeFunction on it. `functions` maps action groups to function names (stack output
 * `ClientTools`).
 */
export function lambdaToolRunner(
  client: LambdaClient,
  functions: Readonly<Record<string, string>>,
): ClientToolRunner {
  return async (call, context) => {
    const functionName = functions[call.group];
    if (!functionName) {
      return {
        isError: true,
        text: JSON.stringify({ error: `The tool ${call.name} is not available here.` }),
      };
    }
    const custom = {
      bedrockAgentCoreToolName: call.name,
      // The direct path marks itself: no gateway id, so the tool knows the caller ran the confirmation.
      kassInvoker: 'client',
      ...(context.identityToken
        ? { bedrockAgentCorePropagatedHeaders: { baggage: `kass-identity=${context.identityToken}` } }
        : {}),
    };
    const out = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        ClientContext: Buffer.from(JSON.stringify({ custom }), 'utf8').toString('base64'),
        Payload: Buffer.from(JSON.stringify(call.input), 'utf8'),
      }),
    );
    if (out.FunctionError) throw new Error(`The tool ${call.name} failed (${out.FunctionError})`);
    const payload = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    return readResult(payload, call.name);
  };
}

/** A gateway-shaped answer (`{isError, content: [{type: 'text', text}]}`) as the runner's result. */
function readResult(payload: string, name: string): ClientToolResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw new Error(`The tool ${name} answered something that is not JSON`);
  }
  const result = parsed as { isError?: unknown; content?: { text?: unknown }[] };
  const text = result.content?.[0]?.text;
  if (typeof result.isError !== 'boolean' || typeof text !== 'string') {
    throw new Error(`The tool ${name} did not answer in the gateway's shape`);
  }
  return { isError: result.isError, text };
}
