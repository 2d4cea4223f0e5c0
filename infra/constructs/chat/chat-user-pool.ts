import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { ChatApiConfig } from '../../config/chat-config';

export interface ChatUserPoolProps {
  readonly settings: ChatApiConfig['cognito'];
  /** Keep the pool (and its users) when the stack is deleted (prod). */
  readonly retainData: boolean;
}

/**
 * Cognito sign-in for the chat APIs: an imported pool (`userPoolArn` + its client ids), or a new pool with
 * admin-created users, MFA and a public app client.
 */
export class ChatUserPool extends Construct {
  public readonly userPool: cognito.IUserPool;
  /** The app client created with a new user pool. */
  public readonly userPoolClient?: cognito.UserPoolClient;
  /** The app clients whose tokens the APIs accept. */
  public readonly clientIds: readonly string[];

  constructor(scope: Construct, id: string, props: ChatUserPoolProps) {
    super(scope, id);
    const { settings, retainData } = props;
    if (settings.userPoolArn) {
      this.userPool = cognito.UserPool.fromUserPoolArn(this, 'UserPool', settings.userPoolArn);
      this.clientIds = settings.userPoolClientIds;
      return;
    }
    const plus = settings.featurePlan === 'PLUS';
    const pool = new cognito.UserPool(this, 'UserPool', {
      // Users are created by an administrator: a chatbot over internal documents has no public sign-up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(plus ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: retainData,
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.userPoolClient = pool.addClient('AppClient', {
      // A public client (browser, CLI): SRP sign-in, no secret to leak.
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.userPool = pool;
    this.clientIds = [this.userPoolClient.userPoolClientId];
    if (!plus) {
      Validations.of(pool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'chatApi.cognito.featurePlan=ESSENTIALS: the pool has no self sign-up, MFA is required and users are ' +
          'admin-created; the PLUS tier (threat protection, billed per MAU) is a config switch away.',
      });
    }
  }
}
