import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { ChatApiConfig } from '../../config/chat-config';

export interface ChatUserPoolProps {
  readonly settings: ChatApiConfig['cognito'];
  /** Keep the pool (and its users) when the stack is deleted (prod). */
  readonly retainData: boolean;
  /**
   * Browser sign-in through the hosted UI (authorization code + PKCE, no client secret) for pages served from
   * these origins (the web page and `chatApi.allowedOrigins`): a user-pool domain and a web app client whose
   * callback and sign-out URLs are `<origin>/`. Only for a pool created here (an imported pool brings its own:
   * `web.cognitoSignIn`). @default - no hosted UI
   */
  readonly webSignIn?: { readonly origins: readonly string[]; readonly domainPrefix: string };
}

/** The hosted UI a browser signs in with. */
export interface WebSignIn {
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  readonly domain: string;
  readonly clientId: string;
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
  /** The hosted UI and the web app client, when `webSignIn` was asked for. */
  public readonly webSignIn?: WebSignIn;

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
      // No OAuth flows: once the pool has a hosted-UI domain, the CDK default (implicit + code grants to
      // https://example.com) would be live. Browsers use the web client below.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.userPool = pool;
    const clientIds = [this.userPoolClient.userPoolClientId];
    if (props.webSignIn && props.webSignIn.origins.length > 0) {
      const domain = pool.addDomain('HostedUi', {
        cognitoDomain: { domainPrefix: props.webSignIn.domainPrefix },
      });
      const urls = props.webSignIn.origins.map((origin) => `${origin}/`);
      const webClient = pool.addClient('WebClient', {
        // A public browser client: the authorization-code flow with PKCE, no secret, no implicit grant.
        generateSecret: false,
        authFlows: { userSrp: true },
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
          callbackUrls: urls,
          logoutUrls: urls,
        },
        supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
        idTokenValidity: Duration.hours(1),
        accessTokenValidity: Duration.hours(1),
        // A browser tab keeps its session for a working day, then signs in again.
        refreshTokenValidity: Duration.hours(12),
      });
      clientIds.push(webClient.userPoolClientId);
      this.webSignIn = { domain: domain.baseUrl(), clientId: webClient.userPoolClientId };
    }
    this.clientIds = clientIds;
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
