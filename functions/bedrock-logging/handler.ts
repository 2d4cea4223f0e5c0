import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import type { Context } from 'aws-lambda';
import { CustomResourceRequest, responseFor, sendResponse } from '../shared/cfn-response';
import { logger, tracer } from '../shared/powertools';
import { applyInvocationLogging, type InvocationLoggingPort } from './invocation-logging';

/** Time kept back from the Lambda timeout to answer CloudFormation (a silent timeout makes it wait an hour). */
const ANSWER_MARGIN_MS = 15_000;

const bedrock = tracer.captureAWSv3Client(new BedrockClient({}));

const port: InvocationLoggingPort = {
  get: async () => (await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig,
  put: async (loggingConfig) => {
    await bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
  },
  delete: async () => {
    await bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
  },
};

/**
 * Custom resource `Custom::ModelInvocationLogging`: Bedrock model-invocation logging has no CloudFormation
 * resource, so this sets (and on delete removes) the region's configuration, then answers CloudFormation at the
 * pre-signed URL.
 */
export const handler = async (event: unknown, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  const request = CustomResourceRequest.safeParse(event);
  if (!request.success) {
    // Not a CloudFormation request: nobody to answer.
    logger.error('not a custom resource request', { issues: request.error.issues.length });
    return;
  }
  const remaining = context ? context.getRemainingTimeInMillis() : 60_000;
  const outcome = await applyInvocationLogging(request.data, port, {
    deadline: Date.now() + remaining - ANSWER_MARGIN_MS,
  });
  logger.info('model invocation logging', {
    requestType: request.data.RequestType,
    status: outcome.status,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  });
  await sendResponse(request.data.ResponseURL, responseFor(request.data, outcome));
};
