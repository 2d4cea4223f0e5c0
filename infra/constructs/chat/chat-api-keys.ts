import { Fn } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import type { ChatApiConfig } from '../../config/chat-config';

export interface ChatApiKeysProps {
  readonly stage: string;
  /** The REST API whose deployment stage the usage plan covers. */
  readonly api: apigw.RestApi;
  /** `usagePlan` (per-key throttle and quota) and `apiKeys` (one key per client, each naming its app). */
  readonly config: Pick<ChatApiConfig, 'usagePlan' | 'apiKeys'>;
}

/** The keys of the apps, for the functions that derive callers: each key's id and the app it names. */
export interface ApiKeyApps {
  /** `API_KEY_APPS`: a JSON object of key id → app name, resolved at deploy (ids exist only then). */
  readonly json: string;
  /** The keys, for grants on exactly these key resources. */
  readonly keys: readonly apigw.IApiKey[];
}

/**
 * One API key per configured client in one usage plan: identification, per-key throttle and quota. Each key
 * names an app (`chatApi.apiKeys`), and {@link ChatApiKeys.apps} maps the keys' ids (known only at deploy)
 * to their apps for the chat functions. The WebSocket stage joins the same plan in API-key mode
 * (`KassWebSocketApi.addToUsagePlan`).
 */
export class ChatApiKeys extends Construct {
  public readonly usagePlan: apigw.UsagePlan;
  /** One key per configured client, by key name. */
  public readonly apiKeys: Readonly<Record<string, apigw.ApiKey>>;
  public readonly apps: ApiKeyApps;

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
    const entries: string[] = [];
    for (const client of config.apiKeys) {
      const key = new apigw.ApiKey(this, `ApiKey-${client.name}`, {
        apiKeyName: `kass-${stage}-${client.name}`,
        description: `KASS chat API key '${client.name}' of app '${client.app}' (${stage})`,
        enabled: true,
      });
      this.usagePlan.addApiKey(key);
      keys[client.name] = key;
      // Key ids are [a-z0-9] and app names [a-z0-9-]: nothing to escape in the JSON.
      entries.push(Fn.join('', ['"', key.keyId, `":"${client.app}"`]));
    }
    this.apiKeys = keys;
    this.apps = { json: Fn.join('', ['{', Fn.join(',', entries), '}']), keys: Object.values(keys) };
  }
}
