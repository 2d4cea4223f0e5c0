import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocally, readBody } from './http';

/**
 * A local stand-in for the read-only account APIs `kass doctor` calls, each in its service's real wire format,
 * all on one HTTP/1.1 server (point every service at it with AWS_ENDPOINT_URL_<SERVICE>):
 *
 * - STS GetCallerIdentity — AWS query protocol: form POST `Action=GetCallerIdentity`, XML answer, XML errors;
 * - SSM GetParameter — AWS JSON 1.1: POST `/` with `X-Amz-Target: AmazonSSM.GetParameter`, `__type` errors;
 * - Lambda GetAccountSettings — REST JSON `GET /2016-08-19/account-settings`;
 * - Bedrock GetInferenceProfile `GET /inference-profiles/{id}`, GetFoundationModelAvailability
 *   `GET /foundation-model-availability/{id}`, ListFoundationModels `GET /foundation-models` — REST JSON;
 * - Bedrock Agent ListAgents `POST /agents/` — REST JSON;
 * - API Gateway GetAccount `GET /account` — REST JSON;
 * - CloudFormation DescribeStacks — AWS query protocol (the stack outputs other `kass` commands read).
 *
 * REST JSON errors carry `x-amzn-errortype`, which the SDK turns into typed exceptions. The account is a
 * plain object a test edits; `healthyAccount()` is one that passes every check for stage dev in us-east-1.
 */

export interface FakeModelAvailability {
  authorizationStatus: 'AUTHORIZED' | 'NOT_AUTHORIZED';
  entitlementAvailability: 'AVAILABLE' | 'NOT_AVAILABLE';
  regionAvailability: 'AVAILABLE' | 'NOT_AVAILABLE';
  agreementAvailability: {
    status: 'AVAILABLE' | 'PENDING' | 'NOT_AVAILABLE' | 'ERROR';
    errorMessage?: string;
  };
}

export interface FakeAccount {
  account: string;
  arn: string;
  /** An STS error code (`ExpiredToken`, `InvalidClientTokenId`) every GetCallerIdentity answers with. */
  stsError?: string;
  /** SSM parameters (`/cdk-bootstrap/hnb659fds/version` → `"30"`). */
  parameters: Record<string, string>;
  lambda: { quota: number; unreserved: number };
  /** Inference profiles offered in the region: id → the model ARNs they route to. */
  profiles: Record<string, string[]>;
  /** Per foundation-model id; a model missing here answers ResourceNotFoundException. */
  availability: Record<string, FakeModelAvailability>;
  /** ListFoundationModels: model id → lifecycle status. */
  foundationModels: Record<string, 'ACTIVE' | 'LEGACY'>;
  /** How many Classic agents ListAgents returns. */
  agents: number;
  /** ListAgents answers AccessDeniedException with this message. */
  agentsDenied?: string;
  /** GetAccount's cloudwatchRoleArn (unset: the account has none). */
  apiGatewayRole?: string;
  /** Operations that answer AccessDeniedException (e.g. `GetAccountSettings`). */
  denied: string[];
  /** Deployed stacks: name → outputs (DescribeStacks). */
  stacks: Record<string, Record<string, string>>;
}

const ALLOWED: FakeModelAvailability = {
  authorizationStatus: 'AUTHORIZED',
  entitlementAvailability: 'AVAILABLE',
  regionAvailability: 'AVAILABLE',
  agreementAvailability: { status: 'AVAILABLE' },
};

const modelArns = (model: string) =>
  ['us-east-1', 'us-east-2', 'us-west-2'].map((r) => `arn:aws:bedrock:${r}::foundation-model/${model}`);

/** An account where stage dev (us-east-1, default models) passes every check. */
export function healthyAccount(): FakeAccount {
  return {
    account: '123456789012',
    arn: 'arn:aws:iam::123456789012:user/alice',
    parameters: { '/cdk-bootstrap/hnb659fds/version': '30' },
    lambda: { quota: 1000, unreserved: 1000 },
    profiles: {
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0': modelArns('anthropic.claude-sonnet-4-5-20250929-v1:0'),
      'us.anthropic.claude-haiku-4-5-20251001-v1:0': modelArns('anthropic.claude-haiku-4-5-20251001-v1:0'),
    },
    availability: {
      'anthropic.claude-sonnet-4-5-20250929-v1:0': structuredClone(ALLOWED),
      'anthropic.claude-haiku-4-5-20251001-v1:0': structuredClone(ALLOWED),
      'amazon.titan-embed-text-v2:0': structuredClone(ALLOWED),
    },
    foundationModels: {
      'anthropic.claude-sonnet-4-5-20250929-v1:0': 'ACTIVE',
      'anthropic.claude-haiku-4-5-20251001-v1:0': 'ACTIVE',
      'amazon.titan-embed-text-v2:0': 'ACTIVE',
    },
    agents: 2,
    apiGatewayRole: 'arn:aws:iam::123456789012:role/apigateway-cloudwatch',
    denied: [],
    stacks: {},
  };
}

export interface RecordedAwsCall {
  readonly operation: string;
  readonly status: number;
}

export class AwsAccountFake {
  account: FakeAccount = healthyAccount();
  readonly calls: RecordedAwsCall[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<AwsAccountFake> {
    let fake: AwsAccountFake | undefined;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    fake = new AwsAccountFake(server, await listenLocally(server));
    return fake;
  }

  /** Points every service `kass doctor` calls at this server, with test credentials and a region. */
  env(region = 'us-east-1'): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_STS: this.endpoint,
      AWS_ENDPOINT_URL_SSM: this.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: this.endpoint,
      AWS_ENDPOINT_URL_BEDROCK: this.endpoint,
      AWS_ENDPOINT_URL_BEDROCK_AGENT: this.endpoint,
      AWS_ENDPOINT_URL_API_GATEWAY: this.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.endpoint,
      AWS_ACCESS_KEY_ID: 'FAKE',
      AWS_SECRET_ACCESS_KEY: 'FAKE',
      AWS_REGION: region,
    };
  }

  reset(): void {
    this.account = healthyAccount();
    this.calls.length = 0;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.endpoint);
    const method = req.method ?? 'GET';
    const target = String(req.headers['x-amz-target'] ?? '');
    const account = this.account;
    const record = (operation: string, status: number) => this.calls.push({ operation, status });
    const json = (operation: string, status: number, payload: unknown, errorType?: string) => {
      record(operation, status);
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-requestid': randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    const denied = (operation: string) => account.denied.includes(operation);
    const restDenied = (operation: string) =>
      json(
        operation,
        403,
        { message: `User is not authorized to perform ${operation}` },
        'AccessDeniedException',
      );

    // STS (query protocol)
    if (method === 'POST' && /(^|&)Action=GetCallerIdentity(&|$)/.test(body)) {
      const operation = 'GetCallerIdentity';
      res.setHeader('content-type', 'text/xml');
      if (account.stsError) {
        record(operation, 403);
        res.statusCode = 403;
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
            `<Code>${account.stsError}</Code><Message>The security token included in the request is invalid</Message>` +
            `</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      record(operation, 200);
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${account.arn}</Arn><UserId>AIDAFAKE</UserId><Account>${account.account}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
          '</GetCallerIdentityResponse>',
      );
      return;
    }
    // CloudFormation (query protocol)
    if (method === 'POST' && /(^|&)Action=DescribeStacks(&|$)/.test(body)) {
      const operation = 'DescribeStacks';
      const stackName = decodeURIComponent(/(?:^|&)StackName=([^&]*)/.exec(body)?.[1] ?? '');
      const outputs = account.stacks[stackName];
      res.setHeader('content-type', 'text/xml');
      if (!outputs) {
        record(operation, 400);
        res.statusCode = 400;
        res.end(
          '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>' +
            `<Code>ValidationError</Code><Message>Stack with id ${stackName} does not exist</Message></Error>` +
            `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      record(operation, 200);
      const members = Object.entries(outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
        )
        .join('');
      res.end(
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>' +
          `<Stacks><member><StackName>${stackName}</StackName><StackId>arn:aws:cloudformation:us-east-1:${account.account}:stack/${stackName}/1</StackId>` +
          '<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>' +
          `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
          `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
      return;
    }
    // SSM (JSON 1.1)
    if (method === 'POST' && target === 'AmazonSSM.GetParameter') {
      const operation = 'GetParameter';
      const { Name } = JSON.parse(body) as { Name: string };
      const fail = (status: number, type: string, message: string) => {
        record(operation, status);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: type, message }));
      };
      if (denied(operation))
        return fail(400, 'AccessDeniedException', `not authorized to GetParameter ${Name}`);
      const value = account.parameters[Name];
      if (value === undefined) return fail(400, 'ParameterNotFound', '');
      record(operation, 200);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          Parameter: {
            Name,
            Type: 'String',
            Value: value,
            Version: 1,
            DataType: 'text',
            ARN: `arn:aws:ssm:::parameter${Name}`,
          },
        }),
      );
      return;
    }
    // Lambda (REST JSON)
    if (method === 'GET' && /^\/2016-08-19\/account-settings\/?$/.test(url.pathname)) {
      const operation = 'GetAccountSettings';
      if (denied(operation)) return restDenied(operation);
      return json(operation, 200, {
        AccountLimit: {
          TotalCodeSize: 80530636800,
          CodeSizeUnzipped: 262144000,
          CodeSizeZipped: 52428800,
          ConcurrentExecutions: account.lambda.quota,
          UnreservedConcurrentExecutions: account.lambda.unreserved,
        },
        AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
      });
    }
    // Bedrock control plane (REST JSON)
    const profile = /^\/inference-profiles\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && profile) {
      const operation = 'GetInferenceProfile';
      if (denied(operation)) return restDenied(operation);
      const id = decodeURIComponent(profile[1] ?? '');
      const models = account.profiles[id];
      if (!models)
        return json(
          operation,
          404,
          { message: `Inference profile ${id} not found` },
          'ResourceNotFoundException',
        );
      return json(operation, 200, {
        inferenceProfileName: id,
        inferenceProfileArn: `arn:aws:bedrock:us-east-1:${account.account}:inference-profile/${id}`,
        inferenceProfileId: id,
        models: models.map((modelArn) => ({ modelArn })),
        status: 'ACTIVE',
        type: 'SYSTEM_DEFINED',
      });
    }
    const availability = /^\/foundation-model-availability\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && availability) {
      const operation = 'GetFoundationModelAvailability';
      if (denied(operation)) return restDenied(operation);
      const modelId = decodeURIComponent(availability[1] ?? '');
      const found = account.availability[modelId];
      if (!found)
        return json(operation, 404, { message: `Model ${modelId} not found` }, 'ResourceNotFoundException');
      return json(operation, 200, { modelId, ...found });
    }
    if (method === 'GET' && url.pathname === '/foundation-models') {
      const operation = 'ListFoundationModels';
      if (denied(operation)) return restDenied(operation);
      return json(operation, 200, {
        modelSummaries: Object.entries(account.foundationModels).map(([modelId, status]) => ({
          modelId,
          modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${modelId}`,
          modelName: modelId,
          providerName: modelId.split('.')[0],
          inferenceTypesSupported: ['ON_DEMAND', 'INFERENCE_PROFILE'],
          modelLifecycle: { status },
        })),
      });
    }
    // Bedrock Agent (REST JSON)
    if (method === 'POST' && url.pathname === '/agents/') {
      const operation = 'ListAgents';
      if (account.agentsDenied)
        return json(operation, 403, { message: account.agentsDenied }, 'AccessDeniedException');
      if (denied(operation)) return restDenied(operation);
      return json(operation, 200, {
        agentSummaries: Array.from({ length: account.agents }, (_, i) => ({
          agentId: `AGENT${String(i).padStart(5, '0')}`,
          agentName: `agent-${i}`,
          agentStatus: 'PREPARED',
          updatedAt: '2026-01-01T00:00:00Z',
        })),
      });
    }
    // API Gateway (REST JSON)
    if (method === 'GET' && url.pathname === '/account') {
      const operation = 'GetAccount';
      if (denied(operation)) return restDenied(operation);
      return json(operation, 200, {
        ...(account.apiGatewayRole ? { cloudwatchRoleArn: account.apiGatewayRole } : {}),
        throttleSettings: { burstLimit: 5000, rateLimit: 10000 },
        features: ['UsagePlans'],
        apiKeyVersion: '4',
      });
    }
    json('Unknown', 404, { message: `${method} ${url.pathname}` }, 'UnknownOperationException');
  }
}
