import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  readonly emails: readonly string[];
  /** HTTPS endpoints (e.g. a chat webhook relay) that receive each notification. */
  readonly webhooks: readonly string[];
}

/** The ticket notification topic: encrypted, SSL-only, subscriptions from config. */
export class Notifications extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'TicketEvents', {
      displayName: 'KASS ticket notifications',
      enforceSSL: true,
      // The AWS managed key keeps email/HTTPS delivery working without a key policy to maintain.
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.webhooks) {
      this.topic.addSubscription(
        new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }),
      );
    }
  }
}
