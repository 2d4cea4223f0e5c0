import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DISCORD_TABLE_KEYS } from '../../functions/discord/contract';
import type { ChatApiConfig } from '../config/chat-config';
import type { EnabledDiscordConfig } from '../config/discord-config';
import type { AgentEndpoint } from './chat/agent-endpoint';
import type { ApiGatewayAccountLogging } from './chat/api-gateway-account';
import { tableDefaults } from './data';
import { DiscordInteractionsApi } from './discord-interactions-api';
import { DiscordWorker } from './discord-worker';
import type { KassFunctionDefaults } from './kass-function';

export interface DiscordBotProps {
  readonly stage: string;
  readonly config: EnabledDiscordConfig;
  readonly functionDefaults: KassFunctionDefaults;
  /** Prod: the table is retained with deletion protection, and so is the secret. */
  readonly retainData: boolean;
  readonly agent: AgentEndpoint;
  readonly conversations: dynamodb.ITable;
  readonly agentState: dynamodb.ITable;
  readonly conversationTtlDays: number;
  /** Who is an operator (`chatApi.operators`): a Discord user listed as `discord:<id>` gets the role. */
  readonly operators: ChatApiConfig['operators'];
  /** Longest question (characters): the chat API's message limit. */
  readonly maxQuestionChars: number;
  readonly methodLoggingLevel: 'INFO' | 'ERROR';
  readonly accountLogging?: ApiGatewayAccountLogging;
  /** Where the bot's alarms notify. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The Discord bot: the interactions endpoint (signature check, 3 s answer), its own event bus, the worker
 * (agent turn, webhook answer) with its dead-letter queue, the Discord table (idempotency and per-user rate
 * limits, with TTL) and the bot-token secret, created empty. Only `kass discord register` reads the token:
 * answering interactions needs no bot token (the interaction token authorises the webhook), so no function
 * can read it.
 */
export class DiscordBot extends Construct {
  public readonly interactions: DiscordInteractionsApi;
  public readonly worker: DiscordWorker;
  public readonly bus: events.EventBus;
  public readonly table: dynamodb.Table;
  public readonly botToken: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DiscordBotProps) {
    super(scope, id);
    const { config } = props;

    this.botToken = new secretsmanager.Secret(this, 'BotToken', {
      secretName: config.botTokenSecretName ?? `kass/${props.stage}/discord-bot-token`,
      description: 'Discord bot token of the KASS application (read by `kass discord register` only).',
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Empty until the operator stores it: aws secretsmanager put-secret-value --secret-id <name> --secret-string '{"token":"…"}'
      generateSecretString: { secretStringTemplate: '{"token":""}', generateStringKey: 'placeholder' },
    });
    Validations.of(this.botToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Discord bot tokens do not expire and can only be reset in the Developer Portal (Bot → Reset Token); the ' +
        'README runbook stores the new value here. No function reads it.',
    });

    this.table = new dynamodb.Table(this, 'Table', {
      ...tableDefaults(props.retainData),
      partitionKey: { name: DISCORD_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: DISCORD_TABLE_KEYS.ttl,
    });

    this.bus = new events.EventBus(this, 'Bus', {
      description: `KASS Discord jobs (${props.stage}): interactions → worker`,
    });

    this.interactions = new DiscordInteractionsApi(this, 'Interactions', {
      stage: props.stage,
      config,
      functionDefaults: props.functionDefaults,
      methodLoggingLevel: props.methodLoggingLevel,
      bus: this.bus,
      maxQuestionChars: props.maxQuestionChars,
      ...(props.accountLogging ? { accountLogging: props.accountLogging } : {}),
    });
    this.worker = new DiscordWorker(this, 'Worker', {
      config,
      functionDefaults: props.functionDefaults,
      agent: props.agent,
      bus: this.bus,
      table: this.table,
      conversations: props.conversations,
      agentState: props.agentState,
      conversationTtlDays: props.conversationTtlDays,
      operators: props.operators,
    });

    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const alarm of [
        this.interactions.latencyAlarm,
        this.interactions.serverErrorAlarm,
        this.worker.deadLetterAlarm,
        this.worker.throttleAlarm,
      ])
        alarm.addAlarmAction(action);
    }
  }
}
