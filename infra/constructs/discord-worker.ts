import { Duration, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DISCORD_EVENT_DETAIL_TYPE, DISCORD_EVENT_SOURCE } from '../../contracts/discord';
import { DISCORD_WORKER_ENV } from '../../contracts/function-env';
import type { ChatApiConfig } from '../config/chat-config';
import { type EnabledDiscordConfig, INTERACTION_TOKEN_SECONDS } from '../config/discord-config';
import { type AgentEndpoint, agentEnvInput, grantInvokeAgent } from './chat/agent-endpoint';
import { operatorsInput } from './chat/caller-identity';
import { grantTable, grantTurnWrites } from './chat/grants';
import { throttleAlarm } from './chat/throttle-alarm';
import { deadLetterAlarm } from './dead-letter-alarm';
import { KassFunction, type KassFunctionDefaults } from './kass-function';

export interface DiscordWorkerProps {
  readonly config: EnabledDiscordConfig;
  readonly functionDefaults: KassFunctionDefaults;
  readonly agent: AgentEndpoint;
  /** The bus the interactions function puts jobs on. */
  readonly bus: events.IEventBus;
  /** Idempotency and rate-limit records. */
  readonly table: dynamodb.ITable;
  /** The chat API's tables: Discord turns are stored like any other. */
  readonly conversations: dynamodb.ITable;
  readonly agentState: dynamodb.ITable;
  readonly conversationTtlDays: number;
  /** `chatApi.operators`: the worker grants the operator role like the chat API does. */
  readonly operators: ChatApiConfig['operators'];
}

/**
 * The asynchronous half of the bot: an EventBridge rule on the bot's bus → the worker Lambda (reserved
 * concurrency as the cost cap, one retry at most on either hop, events older than the interaction token can
 * use dropped) → a dead-letter queue whose depth alarms. The worker runs the agent turn with the chat API's
 * code and tables and posts the answer through Discord's interaction webhook.
 */
export class DiscordWorker extends Construct {
  public readonly worker: KassFunction;
  public readonly rule: events.Rule;
  /** Jobs EventBridge could not deliver and invocations that failed after their retry. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  public readonly throttleAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DiscordWorkerProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.worker;

    this.worker = new KassFunction(this, 'WorkerFunction', {
      ...props.functionDefaults,
      entry: 'functions/discord/worker-handler.ts',
      description: 'Discord worker: runs the agent turn and posts the answer through the interaction webhook',
      serviceName: 'kass-discord-worker',
      settings: { memoryMb: settings.memoryMb, timeoutSeconds: settings.timeoutSeconds },
      reservedConcurrentExecutions: settings.reservedConcurrency,
      internetAccess: `the Discord API (${config.apiBaseUrl})`,
      environment: DISCORD_WORKER_ENV.environment({
        ...agentEnvInput(props.agent),
        conversationsTable: props.conversations.tableName,
        agentStateTable: props.agentState.tableName,
        conversationTtlDays: props.conversationTtlDays,
        deadlineSeconds: settings.agentDeadlineSeconds,
        // A turn holds its session for as long as this function can run.
        leaseSeconds: settings.timeoutSeconds,
        ...operatorsInput({ operators: props.operators }),
        // Buttons: the turn ends at a confirmation and the asker answers it; deny: writes never run.
        confirmations: config.confirmations === 'buttons' ? 'ask' : 'deny',
        apiBaseUrl: config.apiBaseUrl,
        table: props.table.tableName,
        rateLimitQuestions: config.rateLimit.questions,
        rateLimitWindowSeconds: config.rateLimit.windowSeconds,
        maxMessagesPerAnswer: config.maxMessagesPerAnswer,
      }),
    });
    grantInvokeAgent(this.worker, props.agent);
    grantTurnWrites(this.worker, props.conversations, props.agentState);
    grantTable(this.worker, props.table, ['dynamodb:PutItem', 'dynamodb:UpdateItem']);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // A job older than this cannot be answered: the token would expire during the turn.
    const maxEventAge = Duration.seconds(
      Math.max(60, INTERACTION_TOKEN_SECONDS - settings.timeoutSeconds - 60),
    );
    // One retry at most: the worker claims the interaction id first, so a retry never posts twice.
    this.worker.function.configureAsyncInvoke({
      retryAttempts: 1,
      maxEventAge,
      onFailure: new lambdaDestinations.SqsDestination(this.deadLetterQueue),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Discord interactions → the KASS Discord worker',
      eventBus: props.bus,
      eventPattern: { source: [DISCORD_EVENT_SOURCE], detailType: [DISCORD_EVENT_DETAIL_TYPE] },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.worker.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 1,
        maxEventAge,
      }),
    );

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      'Discord questions were not answered: jobs in the Discord dead-letter queue (undeliverable or failed twice).',
    );
    this.throttleAlarm = throttleAlarm(this, 'ThrottleAlarm', this.worker);

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the Discord rule target and the worker’s async ' +
        'invocations; a DLQ for it would only move the same messages again. Its depth alarms.',
    });
  }
}
