import { parse as parseYaml } from 'yaml';
import { DISCORD_EVENT_SOURCE, INTERACTIONS_OPERATION } from '../contracts/discord';
import { formatOperations, type OperationsSummary, summarizeOperations } from './operations-summary';
import { formatProfile, profileOf, type StageProfile } from './stage-profile';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource>; Outputs?: Record<string, { Value?: unknown }> };

export interface ActionGroupSummary {
  readonly name: string;
  readonly enabled: boolean;
  readonly executor: 'lambda' | 'return-control' | 'built-in';
  readonly operations: readonly string[];
}

export interface StackSummary {
  readonly stackName: string;
  readonly resourceCount: number;
  readonly resourcesByType: Readonly<Record<string, number>>;
  readonly agent?: {
    name: string;
    model: string;
    idleSessionTtlSeconds: number;
    actionGroups: ActionGroupSummary[];
  };
  readonly aliases: readonly string[];
  readonly guardrail?: {
    name: string;
    contentFilters: string[];
    piiEntities: number;
    regexes: number;
    topics: number;
  };
  readonly guardrailVersions: number;
  readonly knowledgeBases: readonly string[];
  /** Per knowledge base: its vector store type (`OPENSEARCH_SERVERLESS`, `S3_VECTORS`, `RDS`) and parsing. */
  readonly knowledgeBaseStores?: readonly string[];
  readonly functions: number;
  /** REST methods (`GET /health`, …) and WebSocket routes of the chat API, if the stack has one. */
  readonly chatApi?: { restMethods: string[]; webSocketRoutes: string[] };
  /** The AgentCore engine, if the stack runs on it. */
  readonly harness?: {
    name: string;
    model: string;
    maxIterations: number;
    timeoutSeconds: number;
    /** `gateway kass`, `inline report___createTicket`, … */
    tools: string[];
    hooks: string[];
    endpoints: string[];
    /** Gateway target → its tool names. */
    targets: Record<string, string[]>;
  };
  /** The Discord bot, when the stage turns it on: its route and what its worker is triggered by. */
  readonly discord?: { route: string; trigger: string };
  /** Dashboard, alarms, network, key, audit and pipeline (see `operations-summary.ts`). */
  readonly operations?: OperationsSummary;
  /** Reserved concurrency per function (by service name) and the account quota the stack needs for it. */
  readonly concurrency: ConcurrencyNeeds;
  /** What sets this stage apart: engine, memory, knowledge, documents bucket, API access, data, outputs. */
  readonly profile: StageProfile;
}

/** Lambda keeps this many executions unreserved in every account and region. */
export const UNRESERVED_MINIMUM = 100;

export interface ConcurrencyNeeds {
  readonly reservations: readonly { readonly name: string; readonly reserved: number }[];
  readonly totalReserved: number;
  /**
   * The smallest account concurrency quota the deploy fits in: reservations + the 100 Lambda keeps unreserved
   * (0 when nothing is reserved: any quota works, even the 10 of a new account).
   */
  readonly quotaNeeded: number;
}

/** What the template reserves and the account concurrency quota that takes. */
export function concurrencyNeeds(resources: Record<string, Resource>): ConcurrencyNeeds {
  const reservations = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .flatMap(([logicalId, r]) => {
      const reserved = r.Properties?.ReservedConcurrentExecutions;
      if (typeof reserved !== 'number') return [];
      const service = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables?.POWERTOOLS_SERVICE_NAME;
      return [{ name: typeof service === 'string' ? service : logicalId, reserved }];
    })
    .sort((a, b) => b.reserved - a.reserved || (a.name < b.name ? -1 : 1));
  const totalReserved = reservations.reduce((sum, r) => sum + r.reserved, 0);
  return {
    reservations,
    totalReserved,
    quotaNeeded: totalReserved > 0 ? totalReserved + UNRESERVED_MINIMUM : 0,
  };
}

/** `METHOD /path` for every REST method, rebuilding paths from the resources' parent links. */
function restMethods(resources: Record<string, Resource>): string[] {
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string } | undefined)?.Ref;
    const resource = id ? resources[id] : undefined;
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resource.Properties?.ParentId)}/${asString(resource.Properties?.PathPart)}`;
  };
  return (
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties?.HttpMethod !== 'OPTIONS')
      // The Discord bot's method belongs to its own API (reported on its own line).
      .filter((r) => r.Properties?.OperationName !== INTERACTIONS_OPERATION)
      .map((r) => `${asString(r.Properties?.HttpMethod)} ${pathOf(r.Properties?.ResourceId) || '/'}`)
      .sort()
  );
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** `us.anthropic.claude-…` out of an inference-profile ARN (often an Fn::Join), else the value as text. */
function modelOf(v: unknown): string {
  const text = asString(v);
  return /(?:inference-profile|foundation-model)\/([\w.:-]+)/.exec(text)?.[1] ?? text;
}
const arr = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]) : [];

/** Lists `VERB path (operationId)` for an inline OpenAPI payload. */
function operationsOf(payload: unknown): string[] {
  if (typeof payload !== 'string') return [];
  const doc = parseYaml(payload) as { paths?: Record<string, Record<string, { operationId?: string }>> };
  return Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
    Object.entries(item ?? {})
      .filter(([verb]) => ['get', 'post', 'put', 'patch', 'delete'].includes(verb))
      .map(([verb, op]) => `${verb.toUpperCase()} ${p} (${op?.operationId ?? '?'})`),
  );
}

/** The harness, its tools, hooks and endpoint, and the gateway targets' tools (AgentCore stacks only). */
function harnessOf(resources: Record<string, Resource>): Pick<StackSummary, 'harness'> | undefined {
  const all = Object.values(resources);
  const props = all.find((r) => r.Type === 'AWS::BedrockAgentCore::Harness')?.Properties;
  if (!props) return undefined;
  const model = (props.Model as { BedrockModelConfig?: { ModelId?: unknown } } | undefined)
    ?.BedrockModelConfig?.ModelId;
  const targets: Record<string, string[]> = {};
  for (const t of all.filter((r) => r.Type === 'AWS::BedrockAgentCore::GatewayTarget')) {
    const payload = (
      t.Properties?.TargetConfiguration as {
        Mcp?: { Lambda?: { ToolSchema?: { InlinePayload?: { Name?: unknown }[] } } };
      }
    )?.Mcp?.Lambda?.ToolSchema?.InlinePayload;
    targets[asString(t.Properties?.Name)] = (payload ?? []).map((tool) => asString(tool.Name));
  }
  return {
    harness: {
      name: asString(props.HarnessName),
      model: modelOf(model),
      maxIterations: Number(props.MaxIterations ?? 0),
      timeoutSeconds: Number(props.TimeoutSeconds ?? 0),
      tools: arr(props.Tools).map(
        (t) => `${t.Type === 'inline_function' ? 'inline' : 'gateway'} ${asString(t.Name)}`,
      ),
      hooks: arr(props.Hooks).flatMap((h) =>
        Object.entries(h).map(([kind, hook]) => `${kind} ${asString((hook as { Name?: unknown }).Name)}`),
      ),
      endpoints: all
        .filter((r) => r.Type === 'AWS::BedrockAgentCore::HarnessEndpoint')
        .map((r) => asString(r.Properties?.EndpointName)),
      targets,
    },
  };
}

/** What a synthesized KASS template contains, for the synth command's report. */
export function summarizeTemplate(stackName: string, template: Template): StackSummary {
  const resources = Object.values(template.Resources ?? {});
  const byType: Record<string, number> = {};
  for (const r of resources) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  const ofType = (t: string) => resources.filter((r) => r.Type === t).map((r) => r.Properties ?? {});

  const agentProps = ofType('AWS::Bedrock::Agent')[0];
  const discordMethod = ofType('AWS::ApiGateway::Method').find(
    (m) => m.OperationName === INTERACTIONS_OPERATION,
  );
  const discordRule = ofType('AWS::Events::Rule').find((r) =>
    JSON.stringify(r.EventPattern ?? {}).includes(DISCORD_EVENT_SOURCE),
  );
  const guardrailProps = ofType('AWS::Bedrock::Guardrail')[0];
  return {
    stackName,
    resourceCount: resources.length,
    resourcesByType: byType,
    operations: summarizeOperations(template),
    ...(agentProps
      ? {
          agent: {
            name: asString(agentProps.AgentName),
            model: modelOf(agentProps.FoundationModel),
            idleSessionTtlSeconds: Number(agentProps.IdleSessionTTLInSeconds ?? 0),
            actionGroups: arr(agentProps.ActionGroups).map((g) => {
              const executor = g.ActionGroupExecutor as Record<string, unknown> | undefined;
              return {
                name: asString(g.ActionGroupName),
                enabled: g.ActionGroupState !== 'DISABLED',
                executor: executor?.Lambda
                  ? 'lambda'
                  : executor?.CustomControl
                    ? 'return-control'
                    : 'built-in',
                operations: operationsOf((g.ApiSchema as { Payload?: unknown } | undefined)?.Payload),
              } satisfies ActionGroupSummary;
            }),
          },
        }
      : {}),
    aliases: ofType('AWS::Bedrock::AgentAlias').map((a) => asString(a.AgentAliasName)),
    ...(guardrailProps
      ? {
          guardrail: {
            name: asString(guardrailProps.Name),
            contentFilters: arr(
              (guardrailProps.ContentPolicyConfig as Record<string, unknown>)?.FiltersConfig,
            ).map((f) => `${f.Type} ${f.InputStrength}/${f.OutputStrength}`),
            piiEntities: arr(
              (guardrailProps.SensitiveInformationPolicyConfig as Record<string, unknown>)?.PiiEntitiesConfig,
            ).length,
            regexes: arr(
              (guardrailProps.SensitiveInformationPolicyConfig as Record<string, unknown>)?.RegexesConfig,
            ).length,
            topics: arr((guardrailProps.TopicPolicyConfig as Record<string, unknown>)?.TopicsConfig).length,
          },
        }
      : {}),
    guardrailVersions: byType['AWS::Bedrock::GuardrailVersion'] ?? 0,
    knowledgeBases: ofType('AWS::Bedrock::KnowledgeBase').map((kb) => asString(kb.Name)),
    knowledgeBaseStores: ofType('AWS::Bedrock::KnowledgeBase').map((kb) => {
      const storage = kb.StorageConfiguration as { Type?: unknown } | undefined;
      const parsing = ofType('AWS::Bedrock::DataSource')
        .map(
          (ds) =>
            (ds.VectorIngestionConfiguration as { ParsingConfiguration?: { ParsingStrategy?: string } })
              ?.ParsingConfiguration?.ParsingStrategy,
        )
        .find(Boolean);
      return `${asString(storage?.Type)}, parsing ${parsing ?? 'default'}`;
    }),
    functions: byType['AWS::Lambda::Function'] ?? 0,
    ...(harnessOf(template.Resources ?? {}) ?? {}),
    ...(byType['AWS::ApiGateway::RestApi']
      ? {
          chatApi: {
            restMethods: restMethods(template.Resources ?? {}),
            webSocketRoutes: ofType('AWS::ApiGatewayV2::Route').map((r) => asString(r.RouteKey)),
          },
        }
      : {}),
    ...(discordMethod
      ? {
          discord: {
            route: `${asString(discordMethod.HttpMethod)} /interactions (Ed25519-verified, deferred)`,
            trigger: discordRule ? 'EventBridge rule → worker Lambda (DLQ)' : 'none',
          },
        }
      : {}),
    concurrency: concurrencyNeeds(template.Resources ?? {}),
    profile: profileOf(template),
  };
}

/** The concurrency line of the report: what is reserved and the quota that needs. */
export function formatConcurrency(c: ConcurrencyNeeds): string {
  if (c.totalReserved === 0)
    return '  Lambda concurrency: nothing reserved (deploys with any account quota, even the 10 of a new account)';
  const list = c.reservations.map((r) => `${r.name} ${r.reserved}`).join(', ');
  return (
    `  Lambda concurrency: reserves ${c.totalReserved} (${list}); the account's concurrency quota must be at ` +
    `least ${c.quotaNeeded} (reservations + the ${UNRESERVED_MINIMUM} Lambda keeps unreserved)`
  );
}

/** A short human-readable report of a stack summary. */
export function formatSummary(s: StackSummary, bundleSizes: ReadonlyMap<string, number> = new Map()): string {
  const lines = [`Stack ${s.stackName}: ${s.resourceCount} resources`];
  if (s.agent) {
    lines.push(
      `  Agent ${s.agent.name}: model ${s.agent.model}, idle session TTL ${s.agent.idleSessionTtlSeconds / 60} min`,
    );
    for (const g of s.agent.actionGroups.filter((group) => group.enabled)) {
      lines.push(`    action group ${g.name} (${g.executor})`);
      for (const op of g.operations) lines.push(`      ${op}`);
    }
  }
  if (s.aliases.length > 0) lines.push(`  Agent alias: ${s.aliases.join(', ')}`);
  if (s.harness) {
    lines.push(
      `  Harness ${s.harness.name} (AgentCore): model ${s.harness.model}, at most ${s.harness.maxIterations} iterations ` +
        `and ${s.harness.timeoutSeconds} s; endpoint ${s.harness.endpoints.join(', ')}`,
    );
    lines.push(`    tools: ${s.harness.tools.join(', ')}; hooks: ${s.harness.hooks.join(', ')}`);
    for (const [target, tools] of Object.entries(s.harness.targets)) {
      lines.push(`    gateway target ${target}: ${tools.join(', ')}`);
    }
  }
  if (s.guardrail) {
    lines.push(
      `  Guardrail ${s.guardrail.name}: ${s.guardrail.contentFilters.length} content filters, ` +
        `${s.guardrail.piiEntities} PII entities, ${s.guardrail.regexes} regexes, ${s.guardrail.topics} denied topics; ` +
        `${s.guardrailVersions} numbered version(s)`,
    );
  }
  // A stack without an agent (the delivery pipeline) has no knowledge base, engine or stage profile to show.
  const hasAgent = s.profile.engine !== 'none';
  if (hasAgent)
    lines.push(
      `  Knowledge bases: ${
        s.knowledgeBases.length > 0
          ? s.knowledgeBases.map((name, i) => `${name} (${s.knowledgeBaseStores?.[i] ?? '?'})`).join(', ')
          : 'none in this stack'
      }`,
    );
  if (s.chatApi) {
    lines.push(`  Chat API: REST ${s.chatApi.restMethods.join(', ')}`);
    lines.push(`            WebSocket ${s.chatApi.webSocketRoutes.join(', ')}`);
  }
  if (s.discord) lines.push(`  Discord bot: ${s.discord.route}; ${s.discord.trigger}`);
  if (hasAgent) lines.push(...formatProfile(s.profile));
  const sizes = [...bundleSizes.entries()].map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} kB`);
  lines.push(
    `  Lambda functions: ${s.functions}${sizes.length > 0 ? ` (bundles: ${sizes.join(', ')})` : ''}`,
  );
  if (s.functions > 0) lines.push(formatConcurrency(s.concurrency));
  if (s.operations) lines.push(...formatOperations(s.operations));
  lines.push('  Resources by type:');
  for (const [type, n] of Object.entries(s.resourcesByType).sort()) lines.push(`    ${n} × ${type}`);
  return lines.join('\n');
}
