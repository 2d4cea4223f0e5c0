import { createHash, timingSafeEqual } from 'node:crypto';
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { tracer } from '../shared/powertools';

/**
 * Which app an API key value belongs to, for the WebSocket `$connect` authorizer. REST requests carry the key's
 * id (`requestContext.identity.apiKeyId`), but a `$connect` authorizer receives only the value the client put
 * in `?token=`; API Gateway checks that value against the usage plan after the authorizer, and a `$connect`
 * integration event documents no key id. So the authorizer reads the values of the configured keys (exactly
 * those ids: `apigateway:GET` on `/apikeys/<id>` each) once per execution environment and keeps only their
 * SHA-256 digests to compare with.
 */
export interface ApiKeyDirectory {
  /** The app of the key with this value, or undefined when no configured app's key has it. */
  appOf(keyValue: string): Promise<string | undefined>;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class ApiGatewayKeyDirectory implements ApiKeyDirectory {
  private loaded: Promise<readonly { digest: Buffer; app: string }[]> | undefined;

  constructor(
    /** API key id → app name (`API_KEY_APPS`). */
    private readonly apps: Readonly<Record<string, string>>,
    private readonly client: APIGatewayClient = tracer.captureAWSv3Client(new APIGatewayClient({})),
  ) {}

  async appOf(keyValue: string): Promise<string | undefined> {
    const wanted = digest(keyValue);
    const entries = await this.entries();
    return entries.find((e) => timingSafeEqual(e.digest, wanted))?.app;
  }

  private entries(): Promise<readonly { digest: Buffer; app: string }[]> {
    if (!this.loaded) {
      this.loaded = Promise.all(
        Object.entries(this.apps).map(async ([id, app]) => {
          const key = await this.client.send(new GetApiKeyCommand({ apiKey: id, includeValue: true }));
          // A disabled key never opens a connection (API Gateway refuses it too).
          return key.value && key.enabled !== false ? [{ digest: digest(key.value), app }] : [];
        }),
      ).then((lists) => lists.flat());
      // A failed load is retried by the next connection, not cached.
      this.loaded.catch(() => {
        this.loaded = undefined;
      });
    }
    return this.loaded;
  }
}
