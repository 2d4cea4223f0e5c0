import { Validations } from 'aws-cdk-lib';
import { ChatApiConfigSchema, DEV_CHAT_API } from '../../infra/config/chat-config';
import { ChatApi } from '../../infra/constructs/chat-api';
import { ChatData } from '../../infra/constructs/chat-data';
import { Data } from '../../infra/constructs/data';
import { testApp, testStack } from '../support/cdk';

it('probe', () => {
  const app = testApp();
  const stack = testStack(app);
  const data = new Data(stack, 'Data', { retainData: false });
  const chatData = new ChatData(stack, 'ChatData', { retainData: false });
  const api = new ChatApi(stack, 'ChatApi', {
    stage: 'dev', config: ChatApiConfigSchema.parse(DEV_CHAT_API), functionDefaults: { logLevel: 'INFO', logRetentionDays: 14, retainLogs: false },
    retainData: false,
    agent: { agentId: 'AGENT12345', aliasId: 'ALIAS12345', aliasArn: 'arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345' },
    knowledgeBase: { knowledgeBaseId: 'KB12345678', knowledgeBaseArn: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678' },
    conversations: data.conversations, agentState: chatData.agentState, connections: chatData.connections, version: '0.1.0',
  });
  for (const c of app.node.findAll()) for (const m of c.node.metadata) if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) console.log(c.node.path, JSON.stringify(m.data));
  void api;
});
