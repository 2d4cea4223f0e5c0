import { explainNetworkFailure } from '../aws/network';
import type { DoctorAws, ModelAvailability } from './aws';
import type { ModelNeed, StageNeeds } from './needs';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's list: what was checked, the verdict, what was found and, unless it passed, the fix. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

export interface DoctorContext {
  readonly stage: string;
  readonly stackName: string;
  /** What the synthesized stage needs, or why it could not be read. */
  readonly needs: StageNeeds | { readonly problem: string };
  readonly aws: DoctorAws;
  readonly env: NodeJS.ProcessEnv;
}

export interface DoctorReport {
  readonly account?: string;
  readonly region?: string;
  readonly checks: readonly CheckResult[];
}

/** Lambda keeps this many executions unreserved in every account and region. */
const UNRESERVED_MINIMUM = 100;
/** Service Quotas code of "Concurrent executions" (AWS Lambda). */
const CONCURRENCY_QUOTA_CODE = 'L-B99A9384';

const nameOf = (error: unknown): string => String((error as { name?: string }).name ?? 'Error');
const messageOf = (error: unknown): string => String((error as { message?: string }).message ?? error);

/** What a failed call means for a check: unreachable (fail), not allowed to look (warn), or another failure. */
function failedCall(
  id: string,
  title: string,
  error: unknown,
  what: { readonly call: string; readonly permission: string },
): CheckResult {
  const unreachable = explainNetworkFailure(error, undefined, process.env, { timeoutFlag: '--timeout' });
  if (unreachable) {
    const [first, ...rest] = unreachable.split('\n');
    return {
      id,
      title,
      status: 'fail',
      detail: first ?? unreachable,
      fix: rest.join('\n').replace(/^Check:\n/, ''),
    };
  }
  if (/AccessDenied|UnauthorizedOperation|Forbidden/.test(nameOf(error)))
    return {
      id,
      title,
      status: 'warn',
      detail: `could not check: ${what.call} was denied (${nameOf(error)})`,
      fix: `allow ${what.permission} to your identity to let kass doctor check this (the deploy itself may still work)`,
    };
  return { id, title, status: 'fail', detail: `${what.call} failed: ${nameOf(error)}: ${messageOf(error)}` };
}

const skipped = (id: string, title: string, why: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail: why,
});

/** Runs every check in order; those that need the account wait for working credentials. */
export async function runChecks(ctx: DoctorContext): Promise<DoctorReport> {
  const { aws } = ctx;
  const needs = 'problem' in ctx.needs ? undefined : ctx.needs;
  const results: CheckResult[] = [];
  const region = await aws.region();
  const identity = await credentialsCheck(ctx, region, needs);
  results.push(identity.result);
  results.push(
    needs
      ? {
          id: 'app',
          title: 'Synthesized app',
          status: 'pass',
          detail: `${needs.templateFile}: ${needs.models.length} model(s), ${needs.totalReserved} reserved concurrency`,
        }
      : {
          id: 'app',
          title: 'Synthesized app',
          status: 'fail',
          detail: `${'problem' in ctx.needs ? ctx.needs.problem : ''}; the checks below need what the stage deploys`,
          fix: `npm run synth -- --stage ${ctx.stage} (or npx cdk synth -c stage=${ctx.stage}), then kass doctor again`,
        },
  );
  const account = identity.account;
  if (!account || !region) {
    const why = 'needs working credentials and a region (see above)';
    for (const [id, title] of ACCOUNT_CHECKS) results.push(skipped(id, title, why));
    return { ...(region ? { region } : {}), checks: results };
  }
  const why = 'needs the synthesized app (see above)';
  const [bootstrap, concurrency, models, classic, logging] = await Promise.all([
    needs ? bootstrapCheck(aws, needs, account, region) : skipped('bootstrap', 'CDK bootstrap', why),
    needs ? concurrencyCheck(aws, needs, ctx.stage) : skipped('concurrency', 'Lambda concurrency quota', why),
    needs ? modelChecks(aws, needs, region) : [skipped('models', 'Model access', why)],
    needs ? classicCheck(aws, needs, region) : skipped('agents-classic', 'Bedrock Agents (Classic)', why),
    needs ? loggingCheck(aws, needs) : skipped('apigateway-logging', 'API Gateway logging role', why),
  ]);
  results.push(bootstrap, concurrency, ...models, classic, logging);
  return { account, region, checks: results };
}

const ACCOUNT_CHECKS = [
  ['bootstrap', 'CDK bootstrap'],
  ['concurrency', 'Lambda concurrency quota'],
  ['models', 'Model access'],
  ['agents-classic', 'Bedrock Agents (Classic)'],
  ['apigateway-logging', 'API Gateway logging role'],
] as const;

async function credentialsCheck(
  ctx: DoctorContext,
  region: string | undefined,
  needs: StageNeeds | undefined,
): Promise<{ result: CheckResult; account?: string }> {
  const id = 'credentials';
  const title = 'Credentials and region';
  if (!region)
    return {
      result: {
        id,
        title,
        status: 'fail',
        detail: 'no AWS region configured (AWS_REGION, or region in your profile)',
        fix: `export AWS_REGION=<region>, or aws configure set region <region>${ctx.env.AWS_PROFILE ? ` --profile ${ctx.env.AWS_PROFILE}` : ''}`,
      },
    };
  let caller: { account: string; arn: string };
  try {
    caller = await ctx.aws.callerIdentity();
  } catch (error) {
    const name = nameOf(error);
    const profile = ctx.env.AWS_PROFILE ? ` (AWS_PROFILE=${ctx.env.AWS_PROFILE})` : '';
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(messageOf(error)))
      return {
        result: {
          id,
          title,
          status: 'fail',
          detail: `no AWS credentials found${profile}`,
          fix: 'configure credentials: aws configure, or aws sso login --profile <p> with AWS_PROFILE=<p>, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
        },
      };
    if (/Expired/.test(name))
      return {
        result: {
          id,
          title,
          status: 'fail',
          detail: `the credentials have expired${profile} (${name})`,
          fix: `aws sso login${ctx.env.AWS_PROFILE ? ` --profile ${ctx.env.AWS_PROFILE}` : ''}, or fresh temporary credentials`,
        },
      };
    if (['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException'].includes(name))
      return {
        result: {
          id,
          title,
          status: 'fail',
          detail: `AWS rejected the credentials${profile} (${name}): the access key is wrong, deleted or inactive`,
          fix: 'use a valid access key (aws configure) or your SSO profile (AWS_PROFILE)',
        },
      };
    return { result: failedCall(id, title, error, { call: 'sts:GetCallerIdentity', permission: 'none' }) };
  }
  const pinned = needs?.environment;
  const mismatch = [
    pinned?.account && pinned.account !== caller.account
      ? `account ${pinned.account} (you are in ${caller.account})`
      : '',
    pinned?.region && pinned.region !== region ? `region ${pinned.region} (yours is ${region})` : '',
  ].filter(Boolean);
  if (mismatch.length > 0)
    return {
      account: caller.account,
      result: {
        id,
        title,
        status: 'fail',
        detail: `stage ${ctx.stage} is pinned to ${mismatch.join(' and ')} by env in infra/config/stages.ts`,
        fix: `use credentials of that account (AWS_PROFILE)${pinned?.region ? ` and AWS_REGION=${pinned.region}` : ''}, or change the stage's env`,
      },
    };
  return {
    account: caller.account,
    result: {
      id,
      title,
      status: 'pass',
      detail: `account ${caller.account} as ${caller.arn}, region ${region}`,
    },
  };
}

async function bootstrapCheck(
  aws: DoctorAws,
  needs: StageNeeds,
  account: string,
  region: string,
): Promise<CheckResult> {
  const id = 'bootstrap';
  const title = 'CDK bootstrap';
  const { bootstrap } = needs;
  if (!bootstrap) return skipped(id, title, 'the app does not use the bootstrap stack');
  const command = `npx cdk bootstrap aws://${account}/${region}`;
  let value: string | undefined;
  try {
    value = await aws.parameter(bootstrap.parameter);
  } catch (error) {
    return failedCall(id, title, error, {
      call: `ssm:GetParameter ${bootstrap.parameter}`,
      permission: `ssm:GetParameter on parameter${bootstrap.parameter}`,
    });
  }
  if (value === undefined)
    return {
      id,
      title,
      status: 'fail',
      detail: `not bootstrapped: ${bootstrap.parameter} does not exist in ${account}/${region}`,
      fix: `${command} (once per account and region; creates the CDKToolkit stack: asset bucket, deploy roles)`,
    };
  const version = Number(value);
  if (!Number.isFinite(version) || version < bootstrap.minVersion)
    return {
      id,
      title,
      status: 'fail',
      detail: `bootstrap version ${value}, but the app needs ${bootstrap.minVersion} or later`,
      fix: `${command} (upgrades the CDKToolkit stack in place)`,
    };
  return {
    id,
    title,
    status: 'pass',
    detail: `version ${version} (the app needs ${bootstrap.minVersion} or later)`,
  };
}

async function concurrencyCheck(aws: DoctorAws, needs: StageNeeds, stage: string): Promise<CheckResult> {
  const id = 'concurrency';
  const title = 'Lambda concurrency quota';
  let account: { quota: number; unreserved: number };
  try {
    account = await aws.lambdaConcurrency();
  } catch (error) {
    return failedCall(id, title, error, {
      call: 'lambda:GetAccountSettings',
      permission: 'lambda:GetAccountSettings',
    });
  }
  const reserved = needs.totalReserved;
  const needed = reserved + UNRESERVED_MINIMUM;
  const raise = `request at least ${needed} in Service Quotas (AWS Lambda → Concurrent executions, ${CONCURRENCY_QUOTA_CODE})`;
  if (reserved === 0)
    return account.quota < UNRESERVED_MINIMUM
      ? {
          id,
          title,
          status: 'warn',
          detail: `stage ${stage} reserves none, so it deploys; but the quota is ${account.quota}: at most ${account.quota} functions run at once and busy turns are throttled`,
          fix: `request 1000 in Service Quotas (AWS Lambda → Concurrent executions, ${CONCURRENCY_QUOTA_CODE}; new accounts start low)`,
        }
      : { id, title, status: 'pass', detail: `stage ${stage} reserves none; quota ${account.quota}` };
  const list = needs.reservations.map((r) => `${r.name} ${r.reserved}`).join(', ');
  if (account.quota < needed)
    return {
      id,
      title,
      status: 'fail',
      detail:
        `stage ${stage} reserves ${reserved} (${list}) and Lambda keeps ${UNRESERVED_MINIMUM} unreserved, so it needs a ` +
        `quota of ${needed}; this account's is ${account.quota} (the deploy fails: "decreases account's UnreservedConcurrentExecution below its minimum value")`,
      fix: `${raise}, or lower the reservations (chatApi.*.reservedConcurrency, lambda.tools.*.reservedConcurrency in infra/config)`,
    };
  if (account.unreserved - reserved < UNRESERVED_MINIMUM)
    return {
      id,
      title,
      status: 'warn',
      detail:
        `quota ${account.quota} covers the ${reserved} stage ${stage} reserves, but only ${account.unreserved} are ` +
        `unreserved now (other functions reserve the rest; if kass-${stage} is deployed, its own reservations count too)`,
      fix: `${raise.replace(`at least ${needed}`, `at least ${account.quota - account.unreserved + needed}`)}, or free reservations elsewhere`,
    };
  return {
    id,
    title,
    status: 'pass',
    detail: `stage ${stage} reserves ${reserved} (${list}); quota ${account.quota}, ${account.unreserved} unreserved`,
  };
}

/** `anthropic.claude-…` behind a profile: from the profile's model ARNs, else the id without its geography. */
const baseModelOf = (need: ModelNeed, modelArns: readonly string[]): string =>
  /foundation-model\/([\w.:-]+)$/.exec(modelArns[0] ?? '')?.[1] ??
  need.id.replace(/^[a-z-]+\.(?=[a-z]+\.)/, '');

async function modelChecks(aws: DoctorAws, needs: StageNeeds, region: string): Promise<CheckResult[]> {
  let lifecycles: ReadonlyMap<string, string> | undefined;
  let listError: unknown;
  try {
    lifecycles = await aws.foundationModels();
  } catch (error) {
    listError = error;
  }
  return Promise.all(needs.models.map((need) => modelCheck(aws, need, region, lifecycles, listError)));
}

async function modelCheck(
  aws: DoctorAws,
  need: ModelNeed,
  region: string,
  lifecycles: ReadonlyMap<string, string> | undefined,
  listError: unknown,
): Promise<CheckResult> {
  const id = `model:${need.id}`;
  const title = `Model ${need.id} (${need.roles.join(', ')})`;
  const permission =
    'bedrock:GetInferenceProfile, bedrock:GetFoundationModelAvailability and bedrock:ListFoundationModels';
  let base = need.id;
  if (need.kind === 'inference-profile') {
    let profile: Awaited<ReturnType<DoctorAws['inferenceProfile']>>;
    try {
      profile = await aws.inferenceProfile(need.id);
    } catch (error) {
      return failedCall(id, title, error, { call: 'bedrock:GetInferenceProfile', permission });
    }
    const geo = need.id.split('.')[0];
    if (profile?.status !== 'ACTIVE')
      return {
        id,
        title,
        status: 'fail',
        detail: `the inference profile ${need.id} is ${profile ? profile.status : 'not offered'} in ${region}`,
        fix:
          `pick the geography of ${region} with agent.inferenceGeo (now '${geo}': eu, apac, us or global; README ` +
          `"Regions and models"), or deploy to a region of '${geo}'`,
      };
    base = baseModelOf(need, profile.modelArns);
  }
  let availability: ModelAvailability;
  try {
    availability = await aws.modelAvailability(base);
  } catch (error) {
    return failedCall(id, title, error, {
      call: `bedrock:GetFoundationModelAvailability ${base}`,
      permission,
    });
  }
  const modelAccess = `Bedrock console → Model access (region ${region})`;
  if (availability.region !== 'AVAILABLE')
    return {
      id,
      title,
      status: 'fail',
      detail: `${base} is not offered in ${region} (regionAvailability ${availability.region})`,
      fix:
        need.kind === 'inference-profile'
          ? `use a region of the profile's geography, or another agent.inferenceGeo`
          : `deploy to a region that offers ${base} (see the model card), or choose another model`,
    };
  if (availability.authorization !== 'AUTHORIZED')
    return {
      id,
      title,
      status: 'fail',
      detail: `no access to ${base} (authorizationStatus ${availability.authorization})`,
      fix:
        `${modelAccess}: request access to ${base}` +
        (base.startsWith('anthropic.')
          ? '; Anthropic models need the one-time use-case form, submitted once for the account'
          : '') +
        '; access can take a few minutes, then run kass doctor again',
    };
  if (availability.entitlement !== 'AVAILABLE')
    return {
      id,
      title,
      status: 'fail',
      detail: `the account is not entitled to ${base} (entitlementAvailability ${availability.entitlement})`,
      fix: `${modelAccess}: request access (it subscribes the account in AWS Marketplace); an SCP denying aws-marketplace:Subscribe blocks it`,
    };
  if (availability.agreement === 'PENDING')
    return {
      id,
      title,
      status: 'warn',
      detail: `the model agreement for ${base} is still pending`,
      fix: 'wait a few minutes and run kass doctor again',
    };
  if (availability.agreement !== 'AVAILABLE')
    return {
      id,
      title,
      status: 'fail',
      detail:
        `the model agreement for ${base} is ${availability.agreement}` +
        (availability.agreementMessage ? `: ${availability.agreementMessage}` : ''),
      fix: `${modelAccess}: accept the model's offer (End User License Agreement) for ${base}`,
    };
  const lifecycle = lifecycles?.get(base);
  if (lifecycle === undefined && need.kind === 'foundation-model' && lifecycles)
    return {
      id,
      title,
      status: 'fail',
      detail: `${base} is not listed by ListFoundationModels in ${region}`,
      fix: `deploy to a region that offers ${base}`,
    };
  if (lifecycle === 'LEGACY')
    return {
      id,
      title,
      status: 'warn',
      detail: `${base} is usable but Legacy: closed to new customers and may lose access`,
      fix: 'choose a current model in infra/config/stages.ts (agent.model, tools.*.model)',
    };
  const note = listError && !lifecycles ? ' (lifecycle not checked: ListFoundationModels failed)' : '';
  return {
    id,
    title,
    status: 'pass',
    detail: `${need.kind === 'inference-profile' ? `profile active in ${region}; ` : ''}access to ${base} granted${note}`,
  };
}

/** Messages Bedrock uses when an account may not create Agents Classic resources (matched loosely). */
const CLASSIC_CLOSED = /new customers|not available|maintenance mode|no longer|not (?:enabled|allowed)/i;

async function classicCheck(aws: DoctorAws, needs: StageNeeds, region: string): Promise<CheckResult> {
  const id = 'agents-classic';
  const title = 'Bedrock Agents (Classic)';
  if (!needs.classicAgent) return skipped(id, title, 'the stage uses no Classic agent');
  const engineFix =
    "set agent.engine: 'agentcore' for the stage in infra/config/stages.ts: the AgentCore engine serves the same " +
    'tools, knowledge base and guardrail';
  let count: number;
  try {
    count = await aws.classicAgentCount();
  } catch (error) {
    if (/AccessDenied/.test(nameOf(error)) && CLASSIC_CLOSED.test(messageOf(error)))
      return {
        id,
        title,
        status: 'fail',
        detail: `Agents Classic is not open to this account: ${messageOf(error)}`,
        fix: engineFix,
      };
    return failedCall(id, title, error, { call: 'bedrock:ListAgents', permission: 'bedrock:ListAgents' });
  }
  if (count > 0)
    return {
      id,
      title,
      status: 'pass',
      detail: `the account has ${count >= 100 ? '100 or more' : count} Classic agent(s) in ${region}: it is an existing Agents customer`,
    };
  return {
    id,
    title,
    status: 'warn',
    detail:
      `no Classic agents in ${region} yet. Agents Classic is closed to customers new to it since 2026-07-30, so ` +
      'CreateAgent may be refused (the deploy then fails at the agent)',
    fix: `if the deploy is refused at the agent: ${engineFix}`,
  };
}

async function loggingCheck(aws: DoctorAws, needs: StageNeeds): Promise<CheckResult> {
  const id = 'apigateway-logging';
  const title = 'API Gateway logging role';
  if (needs.apiGatewayLogging === 'none') return skipped(id, title, 'the stage has no API Gateway logging');
  let role: string | undefined;
  try {
    role = await aws.apiGatewayLoggingRole();
  } catch (error) {
    return failedCall(id, title, error, {
      call: 'apigateway:GetAccount',
      permission: 'apigateway:GET on /account',
    });
  }
  const setIt =
    "let this stack create it: chatApi.accountCloudWatchRole: 'create' (infra/config/stages.ts, or " +
    `-c kass:config='{"chatApi":{"accountCloudWatchRole":"create"}}'); or set your own: aws apigateway ` +
    'update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role-arn> (a role API Gateway ' +
    'may assume, with the AmazonAPIGatewayPushToCloudWatchLogs policy)';
  if (needs.apiGatewayLogging === 'required')
    return role
      ? {
          id,
          title,
          status: 'pass',
          detail: `the account's role ${role} writes the logs (it must cover /aws/apigateway/*, as AmazonAPIGatewayPushToCloudWatchLogs does)`,
        }
      : {
          id,
          title,
          status: 'fail',
          detail:
            'the account has no API Gateway logging role (aws apigateway get-account shows no cloudwatchRoleArn), and ' +
            'the chat API stages log to CloudWatch: the deploy fails ("CloudWatch Logs role ARN must be set in account settings")',
          fix: setIt,
        };
  if (!role || role.includes(`:role/${needs.stackName}-`))
    return {
      id,
      title,
      status: 'pass',
      detail: role ? `the stack's own role ${role}` : 'none set: this stack sets it',
    };
  return {
    id,
    title,
    status: 'warn',
    detail: `the account already logs through ${role}; deploying (chatApi.accountCloudWatchRole: 'create') replaces it for every API in the region`,
    fix: "keep it with chatApi.accountCloudWatchRole: 'existing' (the default), if it covers /aws/apigateway/*",
  };
}
