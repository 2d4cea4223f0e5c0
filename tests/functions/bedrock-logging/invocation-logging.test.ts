import {
  applyInvocationLogging,
  type InvocationLoggingPort,
  isOurs,
  loggingConfigFor,
  PHYSICAL_ID,
} from '../../../functions/bedrock-logging/invocation-logging';
import type { CustomResourceRequest } from '../../../functions/shared/cfn-response';
import { getTestEvent } from '../../support/events';

const createEvent = () =>
  getTestEvent<CustomResourceRequest>({
    eventsPath: 'cloudformation',
    filename: 'model-invocation-logging-create',
  });

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** A fake of Bedrock's logging API with a current configuration and scripted put failures. */
function fakeBedrock(current?: Awaited<ReturnType<InvocationLoggingPort['get']>>, putFailures: Error[] = []) {
  const calls: string[] = [];
  const port: InvocationLoggingPort = {
    get: async () => {
      calls.push('get');
      return current;
    },
    put: async (config) => {
      calls.push('put');
      const failure = putFailures.shift();
      if (failure) throw failure;
      current = config;
    },
    delete: async () => {
      calls.push('delete');
      current = undefined;
    },
  };
  return { port, calls, current: () => current };
}

const options = { deadline: Date.now() + 600_000, sleep: async () => undefined };

describe('Function: loggingConfigFor', () => {
  it('logs text only, to both destinations, with large bodies in the bucket', () => {
    const props = createEvent().ResourceProperties as Record<string, string>;
    expect(loggingConfigFor(props)).toEqual({
      s3Config: { bucketName: props.S3BucketName, keyPrefix: 'bedrock-invocations' },
      cloudWatchConfig: {
        logGroupName: props.LogGroupName,
        roleArn: props.RoleArn,
        largeDataDeliveryS3Config: { bucketName: props.S3BucketName, keyPrefix: 'bedrock-invocations' },
      },
      textDataDeliveryEnabled: true,
      imageDataDeliveryEnabled: false,
      embeddingDataDeliveryEnabled: false,
      videoDataDeliveryEnabled: false,
    });
  });

  it('writes to CloudWatch only when no bucket is given', () => {
    const config = loggingConfigFor({ LogGroupName: 'g', RoleArn: 'arn:aws:iam::123456789012:role/r' });
    expect(config.s3Config).toBeUndefined();
    expect(config.cloudWatchConfig).toEqual({
      logGroupName: 'g',
      roleArn: 'arn:aws:iam::123456789012:role/r',
    });
  });
});

describe('Function: isOurs', () => {
  it('recognises the configuration by its bucket or its log group, and nothing else', () => {
    const props = {
      S3BucketName: 'mine',
      LogGroupName: 'my-group',
      RoleArn: 'arn:aws:iam::123456789012:role/r',
    };
    expect(isOurs({ s3Config: { bucketName: 'mine' } }, props)).toBe(true);
    expect(isOurs({ cloudWatchConfig: { logGroupName: 'my-group', roleArn: 'x' } }, props)).toBe(true);
    expect(isOurs({ s3Config: { bucketName: 'other-stage' } }, props)).toBe(false);
    expect(isOurs(undefined, props)).toBe(false);
  });
});

describe('Function: applyInvocationLogging', () => {
  it('sets the configuration on Create and answers with the one physical id of the region', async () => {
    // Prepare
    const bedrock = fakeBedrock();
    // Act
    const outcome = await applyInvocationLogging(createEvent(), bedrock.port, options);
    // Assess
    expect(outcome).toEqual({
      status: 'SUCCESS',
      physicalResourceId: PHYSICAL_ID,
      data: { Destinations: 's3,cloudwatch' },
    });
    expect(bedrock.current()?.s3Config?.bucketName).toBe('kass-dev-auditlogsa35f3e1f-1q2w3e4r5t6y');
  });

  it('retries while Bedrock cannot yet see the new role or bucket policy, then succeeds', async () => {
    // Prepare
    const bedrock = fakeBedrock(undefined, [
      named('ValidationException', 'Failed to validate permissions for log group'),
      named('AccessDeniedException'),
    ]);
    const waits: number[] = [];
    // Act
    const outcome = await applyInvocationLogging(createEvent(), bedrock.port, {
      deadline: Date.now() + 600_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    // Assess
    expect(outcome.status).toBe('SUCCESS');
    expect(bedrock.calls).toEqual(['put', 'put', 'put']);
    expect(waits).toEqual([2_000, 4_000]);
  });

  it.each([
    {
      name: 'a non-retryable error',
      failures: [named('ServiceQuotaExceededException', 'quota')],
      deadline: 600_000,
      attempts: 1,
    },
    {
      name: 'retries past the deadline',
      failures: [named('ValidationException', 'still invisible')],
      deadline: 1_000,
      attempts: 1,
    },
  ])('answers FAILED with the reason on $name', async ({ failures, deadline, attempts }) => {
    // Prepare
    const bedrock = fakeBedrock(undefined, failures);
    // Act
    const outcome = await applyInvocationLogging(createEvent(), bedrock.port, {
      deadline: Date.now() + deadline,
      sleep: async () => undefined,
    });
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.reason).toContain(`failed after ${attempts} attempt(s)`);
    expect(outcome.reason).toMatch(/ServiceQuotaExceededException|ValidationException/);
  });

  it('answers FAILED naming the key for properties CloudFormation should never send', async () => {
    // Prepare
    const event = { ...createEvent(), ResourceProperties: { LogGroupName: 'g' } };
    // Act
    const outcome = await applyInvocationLogging(event, fakeBedrock().port, options);
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.reason).toContain('RoleArn is required with LogGroupName');
  });

  it('removes the configuration on Delete when it is still this stack’s', async () => {
    // Prepare
    const event = { ...createEvent(), RequestType: 'Delete' as const, PhysicalResourceId: PHYSICAL_ID };
    const bedrock = fakeBedrock({ s3Config: { bucketName: 'kass-dev-auditlogsa35f3e1f-1q2w3e4r5t6y' } });
    // Act
    const outcome = await applyInvocationLogging(event, bedrock.port, options);
    // Assess
    expect(outcome).toEqual({ status: 'SUCCESS', physicalResourceId: PHYSICAL_ID });
    expect(bedrock.calls).toEqual(['get', 'delete']);
  });

  it('leaves another stage’s configuration alone on Delete', async () => {
    // Prepare
    const event = { ...createEvent(), RequestType: 'Delete' as const, PhysicalResourceId: PHYSICAL_ID };
    const bedrock = fakeBedrock({ s3Config: { bucketName: 'kass-prod-auditlogs' } });
    // Act
    const outcome = await applyInvocationLogging(event, bedrock.port, options);
    // Assess
    expect(outcome.status).toBe('SUCCESS');
    expect(bedrock.calls).toEqual(['get']);
    expect(bedrock.current()?.s3Config?.bucketName).toBe('kass-prod-auditlogs');
  });

  it('answers FAILED on Delete with what to run by hand when Bedrock refuses', async () => {
    // Prepare
    const event = { ...createEvent(), RequestType: 'Delete' as const, PhysicalResourceId: PHYSICAL_ID };
    const port: InvocationLoggingPort = {
      get: async () => {
        throw named('AccessDeniedException', 'not authorized');
      },
      put: async () => undefined,
      delete: async () => undefined,
    };
    // Act
    const outcome = await applyInvocationLogging(event, port, options);
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.reason).toContain('aws bedrock delete-model-invocation-logging-configuration');
  });
});
