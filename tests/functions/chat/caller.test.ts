import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  type IdentitySettings,
  parseApiKeyApps,
  parseGroups,
  restCaller,
  sessionAttributesOf,
} from '../../../functions/shared/caller';
import { Unauthenticated, UnknownApiKey } from '../../../functions/shared/errors';
import { getTestEvent } from '../../support/events';

const SETTINGS: IdentitySettings = {
  apiKeyApps: { k1a2b3c4d5: 'web-app' },
  operatorGroups: ['kass-operators'],
  operatorUserIds: ['app:web-app:user:lead'],
};

const rest = (filename: string, patch: (e: APIGatewayProxyEvent) => void = () => undefined) => {
  const event = getTestEvent<APIGatewayProxyEvent>({ eventsPath: 'apigw', filename });
  patch(event);
  return event;
};

describe('Module: functions/shared/caller', () => {
  describe('Function: parseGroups', () => {
    it.each([
      ['a list from a verified token', ['kass-operators', 'staff'], ['kass-operators', 'staff']],
      ['API Gateway’s comma form', 'kass-operators,staff', ['kass-operators', 'staff']],
      ['API Gateway’s bracket form', '[kass-operators staff]', ['kass-operators', 'staff']],
      ['nothing', undefined, []],
      ['a non-string list entry', ['a', 5], ['a']],
    ])('reads %s', (_name, value, groups) => {
      expect(parseGroups(value)).toEqual(groups);
    });
  });

  describe('Function: parseApiKeyApps', () => {
    it('reads the key id → app map, and an unset variable as no keys', () => {
      expect(parseApiKeyApps('{"k1":"web-app","k2":"web-app"}')).toEqual({ k1: 'web-app', k2: 'web-app' });
      expect(parseApiKeyApps(undefined)).toEqual({});
    });

    it.each(['not json', '["k1"]', '{"k1":"Web App"}', '{"k1":5}'])('fails the cold start on %s', (text) => {
      expect(() => parseApiKeyApps(text)).toThrow(/API_KEY_APPS/);
    });
  });

  describe('Function: restCaller', () => {
    it('names the app by the key id and ignores the key value', () => {
      const caller = restCaller(
        rest('rest-chat', (e) => {
          e.requestContext.identity.apiKey = 'anotherValue0123456789abcdefghijABCDEFGH';
        }),
        SETTINGS,
        'alex',
      );
      expect(caller).toEqual({ userId: 'app:web-app:user:alex', app: 'web-app', roles: [] });
    });

    it('prefers the Cognito claims, and gives an operator group’s members the role', () => {
      const caller = restCaller(
        rest('rest-chat-cognito', (e) => {
          (e.requestContext.authorizer as { claims: Record<string, string> }).claims['cognito:groups'] =
            'kass-operators';
        }),
        SETTINGS,
        'someone-else',
      );
      expect(caller).toEqual({
        userId: 'cognito:7d4e2b90-1111-4c3a-9e0b-2f6a8c1d5e77',
        app: 'web-app',
        roles: ['operator'],
      });
    });

    it('refuses a key id no app owns, and a request with no identity at all', () => {
      expect(() =>
        restCaller(
          rest('rest-chat', (e) => {
            e.requestContext.identity.apiKeyId = 'kUnknown01';
          }),
          SETTINGS,
        ),
      ).toThrow(UnknownApiKey);
      expect(() =>
        restCaller(
          rest('rest-chat', (e) => {
            e.requestContext.identity.apiKeyId = null;
          }),
          SETTINGS,
        ),
      ).toThrow(Unauthenticated);
    });
  });

  describe('Function: sessionAttributesOf', () => {
    it('sets userId, app, roles (only when granted), conversationId and channel', () => {
      expect(sessionAttributesOf({ userId: 'cognito:a', roles: ['operator'] }, 'c-1', 'websocket')).toEqual({
        userId: 'cognito:a',
        roles: 'operator',
        conversationId: 'c-1',
        channel: 'websocket',
      });
      expect(sessionAttributesOf({ userId: 'app:w', app: 'w', roles: [] }, 'c-2', 'rest')).toEqual({
        userId: 'app:w',
        app: 'w',
        conversationId: 'c-2',
        channel: 'rest',
      });
    });
  });
});
