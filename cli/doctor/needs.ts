import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What a synthesized stage needs from the account it deploys to, read from the cloud assembly (`cdk.out`, as
 * `npm run synth` and `npx cdk synth` write it). Pure reading: no AWS calls.
 */

/** A model the stage calls: through a cross-region inference profile, or in-region by foundation-model id. */
export interface ModelNeed {
  readonly id: string;
  readonly kind: 'inference-profile' | 'foundation-model';
  /** Who uses it: `agent`, `summarize`, `code-review`, `embedding`, … */
  readonly roles: readonly string[];
}

export interface StageNeeds {
  readonly stackName: string;
  /** The template file, for messages. */
  readonly templateFile: string;
  /** Account and region the stage is pinned to (`env` in its config), if any. */
  readonly environment: { readonly account?: string; readonly region?: string };
  /** The SSM parameter holding the bootstrap version, and the lowest version the app accepts. */
  readonly bootstrap?: { readonly parameter: string; readonly minVersion: number };
  /** Reserved concurrency per function (by service name) and the sum. */
  readonly reservations: readonly { readonly name: string; readonly reserved: number }[];
  readonly totalReserved: number;
  readonly models: readonly ModelNeed[];
  /** The stack declares a Bedrock Agent (Classic). */
  readonly classicAgent: boolean;
  /**
   * `managed`: the stack sets the account's API Gateway logging role; `required`: its stages log, so the account
   * must already have one; `none`: no API Gateway logging.
   */
  readonly apiGatewayLogging: 'managed' | 'required' | 'none';
}

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Artifact = { type: string; environment?: string; properties?: Record<string, unknown> };

/** The assembly is missing or does not hold the stack: the message says how to make it. */
export class AssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyError';
  }
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Reads the needs of `stackName` from the cloud assembly in `dir`. */
export function readStageNeeds(dir: string, stackName: string): StageNeeds {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new AssemblyError(`no cloud assembly in ${dir} (manifest.json is missing)`);
  const manifest = readJson(manifestFile) as { artifacts?: Record<string, Artifact> };
  const artifacts = manifest.artifacts ?? {};
  const stack = artifacts[stackName];
  if (stack?.type !== 'aws:cloudformation:stack') {
    const stacks = Object.entries(artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([name]) => name);
    throw new AssemblyError(
      `the cloud assembly in ${dir} holds ${stacks.length > 0 ? stacks.join(', ') : 'no stack'}, not ${stackName}`,
    );
  }
  const templateFile = path.join(dir, String(stack.properties?.templateFile ?? `${stackName}.template.json`));
  const template = readJson(templateFile) as { Resources?: Record<string, Resource> };
  return {
    stackName,
    templateFile,
    environment: environmentOf(stack.environment),
    ...bootstrapOf([stack, ...Object.values(artifacts).filter((a) => a.type === 'cdk:asset-manifest')]),
    ...needsOfTemplate(template.Resources ?? {}),
  };
}

/** `aws://123456789012/eu-west-1` (or `unknown-account` / `unknown-region`). */
function environmentOf(environment: string | undefined): StageNeeds['environment'] {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  const account = match?.[1];
  const region = match?.[2];
  return {
    ...(account && account !== 'unknown-account' ? { account } : {}),
    ...(region && region !== 'unknown-region' ? { region } : {}),
  };
}

/** The highest bootstrap version any artifact of the stack requires, and the parameter that holds it. */
function bootstrapOf(artifacts: readonly Artifact[]): Pick<StageNeeds, 'bootstrap'> {
  let found: StageNeeds['bootstrap'];
  for (const { properties } of artifacts) {
    const version = properties?.requiresBootstrapStackVersion;
    const parameter = properties?.bootstrapStackVersionSsmParameter;
    if (typeof version !== 'number' || typeof parameter !== 'string') continue;
    if (!found || version > found.minVersion) found = { parameter, minVersion: version };
  }
  return found ? { bootstrap: found } : {};
}

/** A template value as text (Fn::Join flattened; a reference as `<reference>`). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const fn = value as Record<string, unknown> | undefined;
  if (fn && Array.isArray(fn['Fn::Join'])) {
    const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(delimiter);
  }
  return '<reference>';
}

/** The model id in an inference-profile or foundation-model ARN, or the value itself. */
function modelOf(value: unknown): Omit<ModelNeed, 'roles'> | undefined {
  const arn = text(value);
  const profile = /inference-profile\/([\w.:-]+)$/.exec(arn)?.[1];
  if (profile) return { id: profile, kind: 'inference-profile' };
  const model = /foundation-model\/([\w.:-]+)$/.exec(arn)?.[1];
  if (model) return { id: model, kind: 'foundation-model' };
  if (/^[\w.:-]+$/.test(arn))
    return {
      id: arn,
      kind: /^(us|eu|apac|global|jp|au|us-gov|ca)\./.test(arn) ? 'inference-profile' : 'foundation-model',
    };
  return undefined;
}

const dig = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    value,
  );

/** Reservations, models and features of a template. */
export function needsOfTemplate(
  resources: Record<string, Resource>,
): Omit<StageNeeds, 'stackName' | 'templateFile' | 'environment' | 'bootstrap'> {
  const all = Object.entries(resources);
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type).map(([, r]) => r.Properties ?? {});
  const models = new Map<string, { kind: ModelNeed['kind']; roles: string[] }>();
  const use = (value: unknown, role: string) => {
    const model = modelOf(value);
    if (!model) return;
    const entry = models.get(model.id) ?? { kind: model.kind, roles: [] };
    if (!entry.roles.includes(role)) entry.roles.push(role);
    models.set(model.id, entry);
  };

  for (const agent of ofType('AWS::Bedrock::Agent')) use(agent.FoundationModel, 'agent');
  for (const harness of ofType('AWS::BedrockAgentCore::Harness'))
    use(dig(harness, 'Model', 'BedrockModelConfig', 'ModelId'), 'agent');
  const reservations: { name: string; reserved: number }[] = [];
  for (const [logicalId, fn] of all.filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
    const variables = (dig(fn.Properties, 'Environment', 'Variables') ?? {}) as Record<string, unknown>;
    const service =
      typeof variables.POWERTOOLS_SERVICE_NAME === 'string' ? variables.POWERTOOLS_SERVICE_NAME : logicalId;
    if (variables.MODEL_ID !== undefined) use(variables.MODEL_ID, service.replace(/^kass-/, ''));
    const reserved = fn.Properties?.ReservedConcurrentExecutions;
    if (typeof reserved === 'number') reservations.push({ name: service, reserved });
  }
  for (const kb of ofType('AWS::Bedrock::KnowledgeBase'))
    use(
      dig(kb, 'KnowledgeBaseConfiguration', 'VectorKnowledgeBaseConfiguration', 'EmbeddingModelArn'),
      'embedding',
    );

  const logs = [
    ...ofType('AWS::ApiGateway::Stage').filter(
      (s) =>
        s.AccessLogSetting !== undefined || JSON.stringify(s.MethodSettings ?? []).includes('LoggingLevel'),
    ),
    ...ofType('AWS::ApiGatewayV2::Stage').filter(
      (s) =>
        s.AccessLogSettings !== undefined || dig(s, 'DefaultRouteSettings', 'LoggingLevel') !== undefined,
    ),
  ];
  return {
    reservations: reservations.sort((a, b) => b.reserved - a.reserved || (a.name < b.name ? -1 : 1)),
    totalReserved: reservations.reduce((sum, r) => sum + r.reserved, 0),
    models: [...models].map(([id, m]) => ({ id, kind: m.kind, roles: m.roles })),
    classicAgent: ofType('AWS::Bedrock::Agent').length > 0,
    apiGatewayLogging:
      ofType('AWS::ApiGateway::Account').length > 0 ? 'managed' : logs.length > 0 ? 'required' : 'none',
  };
}
