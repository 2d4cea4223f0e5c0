/**
 * Which VPC endpoint serves a call a function's role is allowed to make. The network construct creates an
 * endpoint for every service the roles of the functions in the VPC are granted (read from their synthesized
 * policies), and the tests check the same mapping over the template: a new grant on a service missing here
 * fails synth with its name rather than failing at run time with a timeout.
 */
export type EndpointNeed =
  /** A gateway endpoint (free): route-table entries for S3 and DynamoDB. */
  | { readonly kind: 'gateway'; readonly service: 's3' | 'dynamodb' }
  /** An interface endpoint `com.amazonaws.<region>.<service>` with private DNS. */
  | { readonly kind: 'interface'; readonly service: string }
  /** Reachable only over the internet from a VPC (a NAT route), e.g. the management API of a public API. */
  | { readonly kind: 'internet'; readonly why: string }
  /** Exercised by the Lambda service itself outside the function's network (attaching it to the VPC). */
  | { readonly kind: 'none'; readonly why: string };

/** Service prefixes served by an interface endpoint of the same or another name. */
const INTERFACE_BY_PREFIX: Readonly<Record<string, string>> = {
  // The API Gateway control plane (`apigateway.<region>.amazonaws.com`, e.g. reading API keys), not execute-api.
  apigateway: 'apigateway',
  sqs: 'sqs',
  sns: 'sns',
  secretsmanager: 'secretsmanager',
  lambda: 'lambda',
  events: 'events',
  xray: 'xray',
  logs: 'logs',
  cloudwatch: 'monitoring',
  kms: 'kms',
  ssm: 'ssm',
  sts: 'sts',
  states: 'states',
  'rds-data': 'rds-data',
  'bedrock-agentcore': 'bedrock-agentcore',
};

/** Bedrock's IAM prefix covers four endpoints: the action decides which one the SDK calls. */
const BEDROCK_ENDPOINTS: readonly (readonly [RegExp, string])[] = [
  [
    /^(InvokeModel|InvokeModelWithResponseStream|Converse|ConverseStream|ApplyGuardrail|CountTokens)\*?$/,
    'bedrock-runtime',
  ],
  [/^InvokeModel\*$/, 'bedrock-runtime'],
  [
    /^(InvokeAgent|InvokeInlineAgent|Retrieve|RetrieveAndGenerate|RetrieveAndGenerateStream|Rerank|InvokeFlow|GetAgentMemory|DeleteAgentMemory)$/,
    'bedrock-agent-runtime',
  ],
  [
    /^(Start|Stop|Get|List)IngestionJobs?$|^(Get|List)(KnowledgeBase|DataSource|Agent|AgentAlias)s?$|^(IngestKnowledgeBaseDocuments|DeleteKnowledgeBaseDocuments)$/,
    'bedrock-agent',
  ],
  [
    /^(Put|Get|Delete)ModelInvocationLoggingConfiguration$|^(List|Get)(FoundationModel|InferenceProfile|Guardrail)s?$/,
    'bedrock',
  ],
];

/**
 * The endpoint a function needs for `action` (`service:Operation`). Throws for a service without a mapping, so
 * a new kind of call is decided on purpose.
 */
export function endpointFor(action: string): EndpointNeed {
  const colon = action.indexOf(':');
  const prefix = action.slice(0, colon);
  const operation = action.slice(colon + 1);
  if (prefix === 's3' || prefix === 'dynamodb') return { kind: 'gateway', service: prefix };
  if (prefix === 'execute-api') {
    return {
      kind: 'internet',
      why:
        'the API Gateway management API of a public (regional) API: an execute-api VPC endpoint only serves private ' +
        'APIs, and with private DNS it would break every call from the VPC to a public API',
    };
  }
  if (action === 'iam:PassRole') {
    return { kind: 'none', why: 'checked by the service the role is passed to, not called' };
  }
  if (prefix === 'ec2' && /NetworkInterface|PrivateIpAddresses$|^DescribeSubnets$/.test(operation)) {
    return { kind: 'none', why: 'Lambda attaches the function to the VPC with these (hyperplane ENIs)' };
  }
  if (prefix === 'bedrock') {
    const found = BEDROCK_ENDPOINTS.find(([pattern]) => pattern.test(operation));
    if (found) return { kind: 'interface', service: found[1] };
  }
  const service = INTERFACE_BY_PREFIX[prefix];
  if (service) return { kind: 'interface', service };
  throw new Error(
    `No VPC endpoint is known for '${action}' (granted to a function in the VPC): add the service to ` +
      'infra/constructs/vpc-endpoint-services.ts, or say why it needs none.',
  );
}

/**
 * Whether a statement is used by another service on the function's behalf rather than called by the function
 * (KMS through DynamoDB, SQS, …): such calls never leave the function's network.
 */
export const isOnBehalfOf = (
  condition: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined,
) => Object.values(condition ?? {}).some((c) => 'kms:ViaService' in c);
