import { AwsSolutionsChecks } from 'cdk-nag';
import { Template } from 'aws-cdk-lib/assertions';
import { ChatApiConfigSchema, DEV_CHAT_API, PROD_CHAT_API } from '../../infra/config/chat-config';
import { ChatApi } from '../../infra/constructs/chat-api';
import { ChatData } from '../../infra/constructs/chat-data';
import { Data } from '../../infra/constructs/data';
import { testApp, testStack } from '../../tests/support/cdk';

it.each([['dev', DEV_CHAT_API], ['prod', PROD_CHAT_API]])('probe %s', (name, input) => {
  const app = testApp();
  const stack = testStack(app);
  const data = new Data(stack, 'Data', { retainData: false });
  const chatData = new ChatData(stack, 'ChatData', { retainData: false });
  new ChatApi(stack, 'ChatApi', {
    stage: 'dev', config: ChatApiConfigSchema.parse(input), functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: false },
    retainData: false,
    agent: { agentId: 'AGENT12345', aliasId: 'ALIAS12345', aliasArn: 'arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345' },
    knowledgeBase: { knowledgeBaseId: 'KB12345678', knowledgeBaseArn: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678' },
    conversations: data.conversations, agentState: chatData.agentState, connections: chatData.connections, version: '0.1.0',
  });
  const t = Template.fromStack(stack);
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
  console.log(name, JSON.stringify(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`), null, 1));
  const unfiltered = new AwsSolutionsChecks(app);
  Object.assign(unfiltered, { isAcknowledged: () => false });
  console.log(name, 'RAW', JSON.stringify(unfiltered.validateScope(app).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`), null, 1));
  if (name === 'dev') console.log(JSON.stringify(t.findResources('AWS::ApiGateway::UsagePlan'), null, 1), JSON.stringify(t.findResources('AWS::ApiGateway::Stage'), null, 1));
});
