import { Match, Template } from 'aws-cdk-lib/assertions';
import { Notifications } from '../../infra/constructs/notifications';
import { denyInsecureTransport, testStack } from '../support/cdk';

describe('Class: Notifications', () => {
  let template: Template;
  beforeAll(() => {
    const stack = testStack();
    new Notifications(stack, 'Notifications', {
      emails: ['oncall@example.com'],
      webhooks: ['https://hooks.example.com/kass'],
    });
    template = Template.fromStack(stack);
  });

  it('encrypts the topic', () => {
    const topic = Object.values(template.findResources('AWS::SNS::Topic'))[0];
    expect(JSON.stringify(topic?.Properties.KmsMasterKeyId)).toContain(':alias/aws/sns');
  });

  it('denies publishing over plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([denyInsecureTransport('sns:Publish')]),
      },
    });
  });

  it('subscribes the configured email and HTTPS endpoints', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://hooks.example.com/kass',
    });
  });
});
