import type { InputOfRecord } from '../../../contracts/env';
import { API_KEY_APPS_ENV, type OPERATORS_ENV } from '../../../contracts/function-env';
import type { ChatApiConfig } from '../../config/chat-config';
import type { KassFunction } from '../kass-function';
import type { ApiKeyApps } from './chat-api-keys';

/**
 * The environment of every function that derives callers (`functions/shared/caller.ts`): who the operators
 * are. The API-key → app map is added once the keys exist ({@link identifyApps}).
 */
export function operatorsInput(
  config: Pick<ChatApiConfig, 'operators'>,
): InputOfRecord<typeof OPERATORS_ENV> {
  return { operatorGroups: config.operators.cognitoGroups, operatorUserIds: config.operators.userIds };
}

/** Gives functions the key id → app map (`API_KEY_APPS`) of the chat API's keys. */
export function identifyApps(functions: readonly KassFunction[], apps: ApiKeyApps): void {
  const environment = API_KEY_APPS_ENV.environment({ apiKeyApps: apps.json });
  for (const f of functions) f.addEnvironment(environment);
}
