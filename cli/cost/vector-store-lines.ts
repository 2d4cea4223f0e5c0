import { HOURS_PER_MONTH, PRICES } from '../../contracts/prices';
import { ASSUMPTIONS, type Context, type CostLine, gb, thousands, unitPrice } from './estimate-basis';

/** The vector store's monthly lines: OpenSearch Serverless, S3 Vectors or Aurora PostgreSQL. */

export function openSearchLines({ inventory, volumes }: Context): CostLine[] {
  if (inventory.vectorStore.kind !== 'opensearch-serverless') return [];
  const lines: CostLine[] = [];
  for (const collection of inventory.vectorStore.collections) {
    const ocu = collection.standbyReplicas ? 2 : 1;
    lines.push({
      service: 'OpenSearch Serverless compute',
      usd: ocu * HOURS_PER_MONTH * PRICES.opensearchOcuHour.usd,
      formula:
        `${ocu} OCU floor (standby replicas ${collection.standbyReplicas ? 'on: 2 × 0.5 indexing + 2 × 0.5 search' : 'off: 0.5 indexing + 0.5 search'}) ` +
        `× ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.opensearchOcuHour)}; billed even with no traffic`,
    });
  }
  const storage = gb(volumes.vectors * volumes.bytesPerVector);
  lines.push({
    service: 'OpenSearch Serverless storage',
    usd: storage * PRICES.opensearchStorageGbMonth.usd,
    formula:
      `${thousands(volumes.vectors)} vectors × ${thousands(volumes.bytesPerVector)} B = ${storage.toFixed(2)} GB ` +
      `× ${unitPrice(PRICES.opensearchStorageGbMonth)}`,
  });
  return lines;
}

/** Query data processed per query: every vector of the index, first 100K at the higher rate. */
export function s3VectorsQueryTb(vectors: number, bytesPerVector: number): { first: number; next: number } {
  const first = Math.min(vectors, 100_000);
  return {
    first: (first * bytesPerVector) / 1e12,
    next: (Math.max(vectors - first, 0) * bytesPerVector) / 1e12,
  };
}

export function s3VectorsLines({ inventory, volumes }: Context): CostLine[] {
  if (inventory.vectorStore.kind !== 's3-vectors') return [];
  const kb = inventory.knowledgeBase;
  const dims = kb?.dimensions ?? 1024;
  const storage = gb(volumes.vectors * volumes.bytesPerVector);
  const changed = gb(volumes.vectors * ASSUMPTIONS.monthlyChange * volumes.bytesPerVector);
  const processedBytes = dims * 4 + ASSUMPTIONS.filterableBytesPerVector;
  const perQuery = s3VectorsQueryTb(volumes.vectors, processedBytes);
  const processedUsd =
    volumes.lookups *
    (perQuery.first * PRICES.s3VectorsQueryTbFirstTier.usd +
      perQuery.next * PRICES.s3VectorsQueryTbNextTier.usd);
  return [
    {
      service: 'S3 Vectors storage',
      usd: storage * PRICES.s3VectorsStorageGbMonth.usd,
      formula:
        `${thousands(volumes.vectors)} vectors × ${thousands(volumes.bytesPerVector)} B = ${storage.toFixed(2)} GB ` +
        `× ${unitPrice(PRICES.s3VectorsStorageGbMonth)}`,
    },
    {
      service: 'S3 Vectors writes',
      usd: changed * PRICES.s3VectorsPutGb.usd,
      formula:
        `${ASSUMPTIONS.monthlyChange * 100} % of the vectors rewritten a month = ${changed.toFixed(2)} GB ` +
        `× ${unitPrice(PRICES.s3VectorsPutGb)}`,
    },
    {
      service: 'S3 Vectors queries',
      usd: (volumes.lookups / 1e6) * PRICES.s3VectorsQueryRequestsMillion.usd + processedUsd,
      formula:
        `${thousands(volumes.lookups)} lookups × ${unitPrice(PRICES.s3VectorsQueryRequestsMillion)} + ` +
        `${thousands(volumes.lookups)} × (${(perQuery.first * 1e3).toFixed(4)} GB × $${PRICES.s3VectorsQueryTbFirstTier.usd}/TB + ` +
        `${(perQuery.next * 1e3).toFixed(4)} GB × $${PRICES.s3VectorsQueryTbNextTier.usd}/TB) processed ` +
        `(${thousands(processedBytes)} B per vector scanned)`,
    },
  ];
}

export function auroraLines({ inventory, volumes }: Context): CostLine[] {
  if (inventory.vectorStore.kind !== 'aurora-pgvector') return [];
  const lines: CostLine[] = [];
  const writes = volumes.vectors * ASSUMPTIONS.monthlyChange;
  for (const cluster of inventory.vectorStore.clusters) {
    if (cluster.minAcu === 0) {
      const pause = cluster.autoPauseSeconds ?? 300;
      // Each request keeps the cluster awake for at most the pause delay: an upper bound on awake hours.
      const activity = volumes.lookups + ASSUMPTIONS.ingestInvocations;
      const hours = Math.min(HOURS_PER_MONTH, (activity * pause) / 3600);
      lines.push({
        service: 'Aurora Serverless v2 compute',
        usd: ASSUMPTIONS.auroraAwakeAcu * hours * PRICES.auroraAcuHour.usd,
        formula:
          `${ASSUMPTIONS.auroraAwakeAcu} ACU × min(${HOURS_PER_MONTH} h, ${thousands(activity)} lookups and syncs × ` +
          `${pause} s before auto-pause) = ${thousands(hours, 1)} h awake × ${unitPrice(PRICES.auroraAcuHour)}; ` +
          '0 while paused',
      });
    } else {
      lines.push({
        service: 'Aurora Serverless v2 compute',
        usd: cluster.minAcu * HOURS_PER_MONTH * PRICES.auroraAcuHour.usd,
        formula:
          `${cluster.minAcu} ACU minimum × ${HOURS_PER_MONTH} h × ${unitPrice(PRICES.auroraAcuHour)} ` +
          `(no auto-pause; up to ${cluster.maxAcu} ACU under load)`,
      });
    }
  }
  const storage = gb(volumes.vectors * volumes.bytesPerVector * 1.5);
  lines.push({
    service: 'Aurora storage',
    usd: storage * PRICES.auroraStorageGbMonth.usd,
    formula:
      `${thousands(volumes.vectors)} rows × ${thousands(volumes.bytesPerVector)} B × 1.5 (HNSW and GIN indexes) ` +
      `= ${storage.toFixed(2)} GB × ${unitPrice(PRICES.auroraStorageGbMonth)}`,
  });
  lines.push({
    service: 'RDS Data API',
    usd: ((volumes.lookups + writes) / 1e6) * PRICES.rdsDataApiRequestsMillion.usd,
    formula:
      `(${thousands(volumes.lookups)} lookups + ${thousands(writes)} vector writes) × ` +
      unitPrice(PRICES.rdsDataApiRequestsMillion),
  });
  return lines;
}
