import { clearCaches } from '@aws-lambda-powertools/parameters';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { parseTokenSecret, SecretsManagerTokenSource } from '../../../action-groups/code-review/token-source';
import { isToolError, type ToolError } from '../../../action-groups/kit/errors';
import { toolErrorOf } from '../../support/tool-errors';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kass/dev/gitlab-token-AbCdEf';
const TOKEN = 'glpat-TESTtoken1234567890';

/** Everything an error could show: message, body and the cause chain. */
const everythingIn = (error: ToolError): string =>
  JSON.stringify([error.message, error.toBody(), String((error.cause as Error | undefined)?.message)]);

describe('Class: SecretsManagerTokenSource', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
    clearCaches();
  });

  it.each([
    { name: 'a plain token', secret: TOKEN },
    { name: 'a plain token with a trailing newline', secret: `${TOKEN}\n` },
    { name: 'JSON {"token": ...}', secret: JSON.stringify({ token: TOKEN, note: 'bot user kass' }) },
  ])('reads $name', async ({ secret }) => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secret });

    // Act
    const token = await new SecretsManagerTokenSource(ARN).getToken();

    // Assess
    expect(token).toBe(TOKEN);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
  });

  it('reads a binary secret', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode(TOKEN) });

    // Act & Assess
    await expect(new SecretsManagerTokenSource(ARN).getToken()).resolves.toBe(TOKEN);
  });

  it('caches the value for maxAge, so warm calls do not hit Secrets Manager', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
    const source = new SecretsManagerTokenSource(ARN);

    // Act
    await source.getToken();
    await source.getToken();

    // Assess
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('asks for the value with maxAge 300 by default', async () => {
    // Prepare
    const fetchSecret = jest.fn(async () => TOKEN);

    // Act
    await new SecretsManagerTokenSource(ARN, { fetchSecret }).getToken();

    // Assess
    expect(fetchSecret).toHaveBeenCalledWith(ARN, { maxAge: 300 });
  });

  it.each([
    {
      name: 'a secret without a value',
      error: new ResourceNotFoundException({ message: `Secrets Manager can't find ${ARN}`, $metadata: {} }),
      status: 502,
      message: /not configured.*tokenSecretName/,
    },
    {
      name: 'access denied',
      error: Object.assign(new Error(`User is not authorized on ${ARN}`), { name: 'AccessDeniedException' }),
      status: 502,
      message: /cannot read the GitLab token secret/,
    },
    {
      name: 'throttling',
      error: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      status: 503,
      message: /secret store is unavailable/,
    },
  ])('maps $name to $status without the SDK message', async ({ error, status, message }) => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(error);

    // Act
    const thrown = await toolErrorOf(new SecretsManagerTokenSource(ARN).getToken());

    // Assess
    expect(thrown.status).toBe(status);
    expect(thrown.message).toMatch(message);
    expect(everythingIn(thrown)).not.toContain(ARN);
  });
});

describe('Function: parseTokenSecret', () => {
  it.each([
    { name: 'empty', value: '', message: /not configured/ },
    { name: 'whitespace', value: '  \n', message: /not configured/ },
    { name: 'absent', value: undefined, message: /not configured/ },
    { name: 'JSON without token', value: '{"user": "kass"}', message: /not configured/ },
    { name: 'JSON with a non-string token', value: '{"token": 42}', message: /unexpected format/ },
    { name: 'a token with spaces', value: 'glpat-abc def ghi jkl', message: /unexpected format/ },
  ])('rejects $name', ({ value, message }) => {
    // Act & Assess
    expect(() => parseTokenSecret(value)).toThrow(message);
  });

  it('never quotes the secret value when its JSON is broken', () => {
    // Prepare
    const broken = `{"token": "${TOKEN}"`;

    // Act
    let thrown: unknown;
    try {
      parseTokenSecret(broken);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(isToolError(thrown)).toBe(true);
    const error = thrown as ToolError;
    expect(error.status).toBe(502);
    expect(error.cause).toBeUndefined();
    expect(everythingIn(error)).not.toContain('glpat');
  });
});
