import { HOURS_PER_MONTH, PRICES } from '../../contracts/prices';
import {
  ASSUMPTIONS,
  type Context,
  type CostLine,
  gb,
  serviceOf,
  thousands,
  unitPrice,
} from './estimate-basis';
import type { FunctionInventory } from './inventory';

/** The other services' monthly lines: compute, APIs, data, operations, network. */

export function lambdaLines({ inventory, workload }: Context): CostLine[] {
  const runs: { label: string; fn: FunctionInventory; invocations: number; seconds: number }[] = [];
  const chat = serviceOf(inventory, 'kass-chat');
  if (chat)
    runs.push({
      label: 'kass-chat',
      fn: chat,
      invocations: workload.requests,
      seconds: ASSUMPTIONS.chatSecondsPerTurn,
    });
  for (const [tool, calls] of Object.entries(workload.profile.toolCalls)) {
    const fn = serviceOf(inventory, `kass-${tool}`);
    if (fn)
      runs.push({
        label: fn.service,
        fn,
        invocations: workload.requests * calls,
        seconds: ASSUMPTIONS.toolSecondsPerCall,
      });
  }
  const ingest = serviceOf(inventory, 'kass-ingest');
  if (ingest)
    runs.push({
      label: 'kass-ingest',
      fn: ingest,
      invocations: ASSUMPTIONS.ingestInvocations,
      seconds: ASSUMPTIONS.ingestSeconds,
    });
  if (runs.length === 0) return [];
  let computeUsd = 0;
  let gbSeconds = 0;
  let invocations = 0;
  for (const run of runs) {
    const s = run.invocations * run.seconds * (run.fn.memoryMb / 1024);
    gbSeconds += s;
    invocations += run.invocations;
    computeUsd += s * (run.fn.arm ? PRICES.lambdaArmGbSecond.usd : PRICES.lambdaX86GbSecond.usd);
  }
  return [
    {
      service: 'Lambda',
      usd: computeUsd + (invocations / 1e6) * PRICES.lambdaRequestsMillion.usd,
      formula:
        runs
          .map(
            (r) =>
              `${thousands(r.invocations)} × ${r.seconds} s × ${thousands(r.fn.memoryMb / 1024, 2)} GB (${r.label})`,
          )
          .join(' + ') +
        ` = ${thousands(gbSeconds)} GB-s × ${unitPrice(PRICES.lambdaArmGbSecond)} + ${thousands(invocations)} × ` +
        `${unitPrice(PRICES.lambdaRequestsMillion)}; ${inventory.functions.length - runs.length} other functions idle in this workload`,
    },
  ];
}

export function apiLines({ inventory, workload }: Context): CostLine[] {
  const lines: CostLine[] = [];
  if (inventory.restApis > 0) {
    lines.push({
      service: 'API Gateway REST',
      usd: (workload.requests / 1e6) * PRICES.restApiRequestsMillion.usd,
      formula: `${thousands(workload.requests)} requests × ${unitPrice(PRICES.restApiRequestsMillion)}`,
    });
  }
  if (inventory.webSocketApis > 0) {
    lines.push({
      service: 'API Gateway WebSocket',
      usd: 0,
      formula: `no traffic in this workload (turns go through REST /chat); ${unitPrice(PRICES.webSocketMessagesMillion)} + ${unitPrice(PRICES.webSocketConnectionMinutesMillion)} when used`,
    });
  }
  return lines;
}

export function dynamoLines({ inventory, workload }: Context): CostLine[] {
  if (inventory.tables.count === 0) return [];
  const writes = workload.requests * ASSUMPTIONS.dynamoWritesPerTurn;
  const reads = workload.requests * ASSUMPTIONS.dynamoReadsPerTurn;
  const stored = gb(workload.requests * ASSUMPTIONS.bytesStoredPerTurn);
  const storagePrice =
    PRICES.dynamoStorageGbMonth.usd + (inventory.tables.pitr > 0 ? PRICES.dynamoPitrGbMonth.usd : 0);
  return [
    {
      service: `DynamoDB (${inventory.tables.count} tables, ${inventory.tables.onDemand} on demand)`,
      usd:
        (writes / 1e6) * PRICES.dynamoWriteMillion.usd +
        (reads / 1e6) * PRICES.dynamoReadMillion.usd +
        stored * storagePrice,
      formula:
        `${thousands(writes)} writes × ${unitPrice(PRICES.dynamoWriteMillion)} + ${thousands(reads)} reads × ` +
        `${unitPrice(PRICES.dynamoReadMillion)} + ${stored.toFixed(2)} GB × $${storagePrice.toFixed(2)}/GB-month` +
        (inventory.tables.pitr > 0 ? ' (storage + point-in-time recovery)' : ''),
    },
  ];
}

export function s3Lines({ inventory, workload }: Context): CostLine[] {
  if (!inventory.knowledgeBase) return [];
  const objects = ((workload.documentsGb * 1e9) / ASSUMPTIONS.bytesPerDocument) * ASSUMPTIONS.monthlyChange;
  return [
    {
      service: 'S3 documents bucket',
      usd: workload.documentsGb * PRICES.s3StandardGbMonth.usd + (objects / 1000) * PRICES.s3GetThousand.usd,
      formula:
        `${workload.documentsGb} GB × ${unitPrice(PRICES.s3StandardGbMonth)} + ${thousands(objects)} changed ` +
        `documents read by ingestion × ${unitPrice(PRICES.s3GetThousand)}`,
    },
  ];
}

export function cloudWatchLines({ inventory, workload }: Context): CostLine[] {
  const logs = gb(workload.requests * ASSUMPTIONS.logBytesPerTurn);
  const usd =
    inventory.alarms * PRICES.cloudwatchAlarmMonth.usd +
    inventory.dashboards * PRICES.cloudwatchDashboardMonth.usd +
    logs * PRICES.cloudwatchLogsIngestGb.usd +
    ASSUMPTIONS.customMetrics * PRICES.cloudwatchMetricMonth.usd;
  return [
    {
      service: 'CloudWatch',
      usd,
      formula:
        `${inventory.alarms} alarms × $${PRICES.cloudwatchAlarmMonth.usd} + ${inventory.dashboards} dashboards × ` +
        `$${PRICES.cloudwatchDashboardMonth.usd} + ${logs.toFixed(2)} GB logs × $${PRICES.cloudwatchLogsIngestGb.usd} + ` +
        `${ASSUMPTIONS.customMetrics} custom metrics × $${PRICES.cloudwatchMetricMonth.usd} (${inventory.logGroups} log groups)`,
    },
  ];
}

export function xrayLines({ inventory, workload }: Context): CostLine[] {
  if (inventory.functions.length === 0) return [];
  return [
    {
      service: 'X-Ray',
      usd: (workload.requests / 1e6) * PRICES.xrayTracesMillion.usd,
      formula: `${thousands(workload.requests)} traces (active tracing) × ${unitPrice(PRICES.xrayTracesMillion)}`,
    },
  ];
}

export function securityLines({ inventory, workload }: Context): CostLine[] {
  const lines: CostLine[] = [];
  if (inventory.secrets > 0) {
    lines.push({
      service: 'Secrets Manager',
      usd: inventory.secrets * PRICES.secretMonth.usd,
      formula: `${inventory.secrets} secret${inventory.secrets === 1 ? '' : 's'} × ${unitPrice(PRICES.secretMonth)} (reads are cached per cold start)`,
    });
  }
  if (inventory.kmsKeys > 0) {
    lines.push({
      service: 'KMS',
      usd: inventory.kmsKeys * PRICES.kmsKeyMonth.usd,
      formula: `${inventory.kmsKeys} customer managed keys × ${unitPrice(PRICES.kmsKeyMonth)}`,
    });
  }
  for (const acl of inventory.webAcls) {
    lines.push({
      service: 'AWS WAF',
      usd:
        PRICES.wafWebAclMonth.usd +
        acl.rules * PRICES.wafRuleMonth.usd +
        (workload.requests / 1e6) * PRICES.wafRequestsMillion.usd,
      formula:
        `1 web ACL × $${PRICES.wafWebAclMonth.usd} + ${acl.rules} rules × $${PRICES.wafRuleMonth.usd} + ` +
        `${thousands(workload.requests)} requests × ${unitPrice(PRICES.wafRequestsMillion)}`,
    });
  }
  if (inventory.userPools > 0) {
    lines.push({
      service: 'Cognito',
      usd: 0,
      formula: `${inventory.userPools} user pool: no charge below 10,000 monthly active users (assumed)`,
    });
  }
  return lines;
}

export function messagingLines({ inventory, workload }: Context): CostLine[] {
  if (inventory.queues === 0) return [];
  const changed = ((workload.documentsGb * 1e9) / ASSUMPTIONS.bytesPerDocument) * ASSUMPTIONS.monthlyChange;
  const requests = (changed + 30) * 3;
  return [
    {
      service: 'SQS',
      usd: (requests / 1e6) * PRICES.sqsRequestsMillion.usd,
      formula:
        `(${thousands(changed)} document events + 30 daily syncs) × 3 (send, receive, delete) × ` +
        unitPrice(PRICES.sqsRequestsMillion),
    },
  ];
}

export function networkLines({ inventory }: Context): CostLine[] {
  const lines: CostLine[] = [];
  if (inventory.natGateways > 0) {
    lines.push({
      service: 'NAT gateways',
      usd: inventory.natGateways * HOURS_PER_MONTH * PRICES.natGatewayHour.usd,
      formula:
        `${inventory.natGateways} × ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.natGatewayHour)} ` +
        `(+ ${unitPrice(PRICES.natGatewayGb)}, not estimated)`,
    });
  }
  if (inventory.interfaceEndpointAzs > 0) {
    lines.push({
      service: 'VPC interface endpoints',
      usd: inventory.interfaceEndpointAzs * HOURS_PER_MONTH * PRICES.interfaceEndpointHour.usd,
      formula: `${inventory.interfaceEndpointAzs} endpoint-AZs × ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.interfaceEndpointHour)}`,
    });
  }
  return lines;
}
