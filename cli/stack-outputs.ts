import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { type EnvSource, processEnv } from '../contracts/env';
import { cliClientConfig, diagnoseNetwork, explainNetworkFailure } from './aws/network';
import { CliError } from './cli-error';

export { CliError } from './cli-error';

/** Where one id comes from: a flag value, else an environment variable, else a stack output. */
export interface IdSource {
  /** The flag's value as parsed (undefined when not given) and its name for messages. */
  readonly flagValue: string | undefined;
  readonly flagName: string;
  readonly envVar: string;
  /** CloudFormation output key of the `kass-<stage>` stack. */
  readonly output: string;
}

/** Stack name of a stage (the same rule as `infra/app.ts`, which the CLI must not import). */
export const stackNameOf = (stage: string): string => `kass-${stage}`;

/**
 * Resolves ids for CLI commands: explicit flag, then environment variable, then the deployed stack's outputs
 * (read once, lazily, with the SDK's standard configuration — profiles, region, AWS_ENDPOINT_URL_CLOUDFORMATION).
 */
export class StackOutputs {
  private cached: Promise<Record<string, string>> | undefined;

  constructor(
    readonly stage: string,
    private readonly env: EnvSource = processEnv(),
    private readonly clientFactory: () => Promise<CloudFormationClient> = defaultClient,
  ) {}

  /** The id for `source`, or a CliError that says how to provide it. */
  async resolve(source: IdSource): Promise<string> {
    if (source.flagValue) return source.flagValue;
    const fromEnv = this.env[source.envVar];
    if (fromEnv) return fromEnv;
    const outputs = await this.outputs(source);
    const value = outputs[source.output];
    if (!value) {
      throw new CliError(
        `Stack ${stackNameOf(this.stage)} has no output ${source.output}. Redeploy it (npx cdk deploy -c stage=${this.stage}), ` +
          `or pass ${source.flagName} / set ${source.envVar}.`,
      );
    }
    return value;
  }

  /**
   * An output that a stack may or may not have (e.g. `AgentEngine`, only on AgentCore stacks): an explicit
   * environment variable first, then the stack; undefined when the stack has no such output.
   */
  async optional(output: string, envVar: string): Promise<string | undefined> {
    const fromEnv = this.env[envVar];
    if (fromEnv) return fromEnv;
    const outputs = await this.outputs({ flagValue: undefined, flagName: '--stage', envVar, output });
    return outputs[output] || undefined;
  }

  /** Every output of the stack (read once); `source` says, in messages, how else to provide the values. */
  all(source: IdSource): Promise<Record<string, string>> {
    return this.outputs(source);
  }

  private outputs(source: IdSource): Promise<Record<string, string>> {
    this.cached ??= this.load(source);
    return this.cached;
  }

  private async load(source: IdSource): Promise<Record<string, string>> {
    const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    const stackName = stackNameOf(this.stage);
    const hint = `pass ${source.flagName} / set ${source.envVar}`;
    try {
      const client = await this.clientFactory();
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
      const outputs = Stacks?.[0]?.Outputs ?? [];
      return Object.fromEntries(
        outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
      );
    } catch (error) {
      const unreachable = explainNetworkFailure(error, { service: 'CloudFormation' }, this.env);
      if (unreachable)
        throw new CliError(`${unreachable}\n(Reading the outputs of stack ${stackName}; or ${hint}.)`);
      const name = (error as { name?: string }).name ?? '';
      const message = (error as { message?: string }).message ?? '';
      if (name === 'ValidationError' && /does not exist/.test(message)) {
        throw new CliError(
          `Stack ${stackName} is not deployed in this account/region. Deploy it (npx cdk deploy -c stage=${this.stage}) or ${hint}.`,
        );
      }
      if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
        throw new CliError(
          `No AWS credentials found to read stack ${stackName}. Configure a profile (AWS_PROFILE) or ${hint}.`,
        );
      }
      if (/region/i.test(message) && /missing/i.test(message)) {
        throw new CliError(
          `No AWS region configured. Set AWS_REGION (or a profile with a region) or ${hint}.`,
        );
      }
      throw new CliError(
        `Could not read the outputs of stack ${stackName} (${name || 'error'}). ${hint[0]?.toUpperCase()}${hint.slice(1)}.`,
      );
    }
  }
}

async function defaultClient(): Promise<CloudFormationClient> {
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  return diagnoseNetwork(new CloudFormationClient(cliClientConfig()));
}
