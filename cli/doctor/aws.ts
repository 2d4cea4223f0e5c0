import { cliClientConfig, diagnoseNetwork } from '../aws/network';

/** What `kass doctor` asks the account. Every method is one read-only API call. */
export interface DoctorAws {
  /** The region the SDK's standard configuration resolves (AWS_REGION, the profile); undefined when none. */
  region(): Promise<string | undefined>;
  /** STS GetCallerIdentity. */
  callerIdentity(): Promise<{ readonly account: string; readonly arn: string }>;
  /** SSM GetParameter; undefined when the parameter does not exist. */
  parameter(name: string): Promise<string | undefined>;
  /** Lambda GetAccountSettings. */
  lambdaConcurrency(): Promise<{ readonly quota: number; readonly unreserved: number }>;
  /** Bedrock GetInferenceProfile; undefined when the region has no such profile. */
  inferenceProfile(
    id: string,
  ): Promise<{ readonly status: string; readonly modelArns: readonly string[] } | undefined>;
  /** Bedrock GetFoundationModelAvailability. */
  modelAvailability(modelId: string): Promise<ModelAvailability>;
  /** Bedrock ListFoundationModels: model id → lifecycle status (ACTIVE, LEGACY). */
  foundationModels(): Promise<ReadonlyMap<string, string>>;
  /** Bedrock Agent ListAgents: how many Classic agents the account has in the region (up to 100). */
  classicAgentCount(): Promise<number>;
  /** API Gateway GetAccount: the account's CloudWatch logging role, if set. */
  apiGatewayLoggingRole(): Promise<string | undefined>;
  close(): void;
}

export interface ModelAvailability {
  readonly authorization: string;
  readonly entitlement: string;
  readonly region: string;
  readonly agreement: string;
  readonly agreementMessage?: string;
}

type Closable = { destroy(): void };

/** {@link DoctorAws} over the AWS SDK (standard configuration; AWS_ENDPOINT_URL_<SERVICE> works). */
export async function openDoctorAws(timeoutSeconds: number): Promise<DoctorAws> {
  const [sts, ssm, lambda, bedrock, agent, apigw] = await Promise.all([
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/client-ssm'),
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-bedrock'),
    import('@aws-sdk/client-bedrock-agent'),
    import('@aws-sdk/client-api-gateway'),
  ]);
  const config = cliClientConfig(timeoutSeconds);
  const clients = {
    sts: diagnoseNetwork(new sts.STSClient(config)),
    ssm: diagnoseNetwork(new ssm.SSMClient(config)),
    lambda: diagnoseNetwork(new lambda.LambdaClient(config)),
    bedrock: diagnoseNetwork(new bedrock.BedrockClient(config)),
    agent: diagnoseNetwork(new agent.BedrockAgentClient(config)),
    apigw: diagnoseNetwork(new apigw.APIGatewayClient(config)),
  };
  const name = (error: unknown) => (error as { name?: string }).name ?? '';
  return {
    async region() {
      try {
        return await clients.sts.config.region();
      } catch {
        return undefined;
      }
    },
    async callerIdentity() {
      const out = await clients.sts.send(new sts.GetCallerIdentityCommand({}));
      return { account: out.Account ?? '', arn: out.Arn ?? '' };
    },
    async parameter(parameterName) {
      try {
        const out = await clients.ssm.send(new ssm.GetParameterCommand({ Name: parameterName }));
        return out.Parameter?.Value;
      } catch (error) {
        if (name(error) === 'ParameterNotFound') return undefined;
        throw error;
      }
    },
    async lambdaConcurrency() {
      const out = await clients.lambda.send(new lambda.GetAccountSettingsCommand({}));
      return {
        quota: out.AccountLimit?.ConcurrentExecutions ?? 0,
        unreserved: out.AccountLimit?.UnreservedConcurrentExecutions ?? 0,
      };
    },
    async inferenceProfile(id) {
      try {
        const out = await clients.bedrock.send(
          new bedrock.GetInferenceProfileCommand({ inferenceProfileIdentifier: id }),
        );
        return {
          status: out.status ?? 'UNKNOWN',
          modelArns: (out.models ?? []).flatMap((m) => (m.modelArn ? [m.modelArn] : [])),
        };
      } catch (error) {
        if (name(error) === 'ResourceNotFoundException' || name(error) === 'ValidationException')
          return undefined;
        throw error;
      }
    },
    async modelAvailability(modelId) {
      const out = await clients.bedrock.send(new bedrock.GetFoundationModelAvailabilityCommand({ modelId }));
      return {
        authorization: out.authorizationStatus ?? 'UNKNOWN',
        entitlement: out.entitlementAvailability ?? 'UNKNOWN',
        region: out.regionAvailability ?? 'UNKNOWN',
        agreement: out.agreementAvailability?.status ?? 'UNKNOWN',
        ...(out.agreementAvailability?.errorMessage
          ? { agreementMessage: out.agreementAvailability.errorMessage }
          : {}),
      };
    },
    async foundationModels() {
      const out = await clients.bedrock.send(new bedrock.ListFoundationModelsCommand({}));
      return new Map(
        (out.modelSummaries ?? []).flatMap((m) =>
          m.modelId ? [[m.modelId, m.modelLifecycle?.status ?? 'ACTIVE']] : [],
        ),
      );
    },
    async classicAgentCount() {
      const out = await clients.agent.send(new agent.ListAgentsCommand({ maxResults: 100 }));
      return out.agentSummaries?.length ?? 0;
    },
    async apiGatewayLoggingRole() {
      const out = await clients.apigw.send(new apigw.GetAccountCommand({}));
      return out.cloudwatchRoleArn || undefined;
    },
    close() {
      for (const client of Object.values(clients) as Closable[]) client.destroy();
    },
  };
}
