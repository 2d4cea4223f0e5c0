import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ChatApiConfigSchema, DEV_CHAT_API, PROD_CHAT_API } from '../../infra/config/chat-config';
import { buildApp } from '../../infra/app';
import { ChatApi } from '../../infra/constructs/chat-api';
import { ChatData } from '../../infra/constructs/chat-data';

it.each([['dev', DEV_CHAT_API], ['prod', PROD_CHAT_API]] as const)('whole stack + chat api %s', (stage, input) => {
  const { app, stack, config } = buildApp({ stage, context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
  const chatData = new ChatData(stack, 'ChatData', { retainData: config.retainData });
  new ChatApi(stack, 'ChatApi', {
    stage: config.stage,
    config: ChatApiConfigSchema.parse(input),
    functionDefaults: { logLevel: config.lambda.logLevel, logRetentionDays: config.logRetentionDays, retainLogs: config.retainData },
    retainData: config.retainData,
    agent: { agentId: stack.agent.agent.agentId, aliasId: stack.agent.alias.aliasId, aliasArn: stack.agent.alias.aliasArn, memoryEnabled: config.agent.memory.enabled },
    knowledgeBase: stack.knowledge,
    searchGuardrail: { guardrailId: stack.guardrail.guardrail.guardrailId, guardrailVersion: stack.guardrail.versionNumber, guardrailArn: stack.guardrail.guardrail.guardrailArn },
    conversations: stack.data.conversations,
    agentState: chatData.agentState,
    connections: chatData.connections,
    version: '0.1.0',
  });
  Template.fromStack(stack);
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
  expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
});

it('writes the template for cfn-lint', () => {
  const { stack, config } = buildApp({ stage: 'prod', context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
  const chatData = new ChatData(stack, 'ChatData', { retainData: config.retainData });
  new ChatApi(stack, 'ChatApi', {
    stage: config.stage, config: ChatApiConfigSchema.parse({ ...PROD_CHAT_API, allowedOrigins: ['https://a.example.com', 'https://b.example.com'] }),
    functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: true }, retainData: true,
    agent: { agentId: stack.agent.agent.agentId, aliasId: stack.agent.alias.aliasId, aliasArn: stack.agent.alias.aliasArn },
    knowledgeBase: stack.knowledge, conversations: stack.data.conversations, agentState: chatData.agentState, connections: chatData.connections, version: '0.1.0',
  });
  require('node:fs').writeFileSync('/tmp/kass-chat.template.json', JSON.stringify(Template.fromStack(stack).toJSON()));
  const dev = buildApp({ stage: 'dev', context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
  const cd = new ChatData(dev.stack, 'ChatData', { retainData: false });
  new ChatApi(dev.stack, 'ChatApi', {
    stage: 'dev', config: ChatApiConfigSchema.parse(DEV_CHAT_API), functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: false }, retainData: false,
    agent: { agentId: dev.stack.agent.agent.agentId, aliasId: dev.stack.agent.alias.aliasId, aliasArn: dev.stack.agent.alias.aliasArn },
    knowledgeBase: dev.stack.knowledge, conversations: dev.stack.data.conversations, agentState: cd.agentState, connections: cd.connections, version: '0.1.0',
  });
  require('node:fs').writeFileSync('/tmp/kass-chat-dev.template.json', JSON.stringify(Template.fromStack(dev.stack).toJSON()));
});
