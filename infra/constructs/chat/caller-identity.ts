import type { ChatApiConfig } from '../../config/chat-config';
import type { KassFunction } from '../kass-function';
import type { ApiKeyApps } from './chat-api-keys';

/**
 * The environment of every function that derives callers (`functions/shared/caller.ts`): who the operators
 * are. The API-key → app map is added once the keys exist ({@link identifyApps}).
 */
export function operatorEnvironment(config: Pick<ChatApiConfig, 'operators'>): Record<string, string> {
  return {
    OPERATOR_GROUPS: config.operators.cognitoGroups.join(','),
    OPERATOR_USER_IDS: config.operators.userIds.join(','),
  };
}

/** Gives functions the key id → app map (`API_KEY_APPS`) of the chat API's keys. */
export function identifyApps(functions: readonly KassFunction[], apps: ApiKeyApps): void {
  for (const f of functions) f.function.addEnvironment('API_KEY_APPS', apps.json);
}
