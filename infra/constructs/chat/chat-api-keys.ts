import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { ChatApiConfig } from '../../config/chat-config';

export interface ChatApiKeysProps {
  readonly stage: string;
  /** The REST API whose deployment stage the usage plan covers. */
  readonly api: apigw.RestApi;
  /** `usagePlan` (per-key throttle and quota) and `apiKeys` (one key per client). */
  readonly config: Pick<ChatApiConfig, 'usagePlan' | 'apiKeys'>;
}

/**
 * One API key per configured client in one usage plan: identification, per-key throttle and quota. The
 * WebSocket stage joins the same plan in API-key mode (`KassWebSocketApi.addToUsagePlan`).
 */
export class ChatApiKeys extends Construct {
  public readonly usagePlan: apigw.UsagePlan;
  /** One key per configured client, by client name. */
  public readonly apiKeys: Readonly<Record<string, apigw.ApiKey>>;

  constructor(scope: Construct, id: string, props: ChatApiKeysProps) {
    super(scope, id);
    const { config, stage, api } = props;
    this.usagePlan = new apigw.UsagePlan(this, 'UsagePlan', {
      description: `KASS chat API (${stage}): per-key throttle and quota`,
      throttle: config.usagePlan.throttle,
      quota: { limit: config.usagePlan.quota.limit, period: apigw.Period[config.usagePlan.quota.period] },
      apiStages: [{ api, stage: api.deploymentStage }],
    });
    const keys: Record<string, apigw.ApiKey> = {};
    for (const client of config.apiKeys) {
      const key = new apigw.ApiKey(this, `ApiKey-${client}`, {
        apiKeyName: `kass-${stage}-${client}`,
        description: `KASS chat API key of client '${client}' (${stage})`,
        enabled: true,
      });
      this.usagePlan.addApiKey(key);
      keys[client] = key;
    }
    this.apiKeys = keys;
  }
}
