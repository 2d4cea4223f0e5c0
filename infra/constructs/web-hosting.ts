import * as path from 'node:path';
import {
  Annotations,
  Aws,
  DockerImage,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy, originOf } from '../../contracts/hosting-policy';
import { buildPage, WEB_ROOT } from '../../web/build-page';
import type { WebConfig } from '../config/web-config';
import { nagResource } from './nag-ids';
import { KassNetwork } from './network';
import { sendServerAccessLogs } from './server-access-logs';

/** What the page reads from `/config.json` (the shape of `web/src/config.ts`). */
export interface WebPageConfig {
  readonly apiUrl: string;
  readonly websocketUrl: string;
  readonly stage: string;
  readonly region: string;
  readonly maxMessageChars: number;
  readonly auth:
    | { readonly mode: 'api-key' }
    | { readonly mode: 'cognito'; readonly domain?: string; readonly clientId?: string };
}

/** The page's run-time configuration for a stage: the chat API endpoints and how people sign in. */
export function webPageConfig(props: {
  readonly stage: string;
  readonly apiUrl: string;
  readonly websocketUrl: string;
  readonly maxMessageChars: number;
  readonly cognitoEnabled: boolean;
  /** The hosted UI and web client (a pool created by the stack, or `web.cognitoSignIn` for an imported one). */
  readonly signIn?: { readonly domain: string; readonly clientId: string };
}): WebPageConfig {
  return {
    apiUrl: props.apiUrl,
    websocketUrl: props.websocketUrl,
    stage: props.stage,
    region: Aws.REGION,
    maxMessageChars: props.maxMessageChars,
    auth: props.cognitoEnabled
      ? {
          mode: 'cognito',
          ...(props.signIn ? { domain: props.signIn.domain, clientId: props.signIn.clientId } : {}),
        }
      : { mode: 'api-key' },
  };
}

export interface WebHostingProps {
  readonly config: WebConfig;
  /** Keep the buckets when the stack is deleted (prod). */
  readonly retainData: boolean;
  /** Sign-in mode of the chat API: API-key mode outside prod only warns (the key lives in the browser). */
  readonly cognitoEnabled: boolean;
  readonly logRetentionDays: number;
  /**
   * The built page. @default - `web/` built by Vite at synth (local bundling: no Docker; skipped where
   * bundling is, e.g. construct tests)
   */
  readonly pageAssets?: s3deploy.ISource;
}

const SITE_LOG_PREFIX = 'site-bucket/';
const CDN_LOG_PREFIX = 'cloudfront/';

/**
 * Serves paths without a file extension (the page's own routes, e.g. `/c/<conversation>`, and the sign-in
 * callback `/?code=…`) with `index.html`; files (`/config.json`, `/assets/…`) pass through.
 */
const SPA_ROUTING = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * The web chat page on CloudFront: a private, versioned, SSL-only, encrypted bucket with access logs, read
 * by CloudFront through origin access control only; security headers on every response (HSTS, nosniff,
 * frame-deny, referrer policy and a CSP whose `connect-src` names only the chat APIs and the sign-in service);
 * `index.html` and `config.json` never cached, hashed assets cached for a year; page routes served by a
 * CloudFront function. `connect()` adds the page (built from `web/` by Vite at synth) and its `config.json`
 * (the API URLs and sign-in settings, resolved at deploy) with a BucketDeployment.
 */
export class WebHosting extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly pageHeaders: cloudfront.ResponseHeadersPolicy;
  /** `https://<domain>`: the origin browsers load the page from. */
  public readonly origin: string;
  /** `https://<domain>/` */
  public readonly url: string;
  public deployment?: s3deploy.BucketDeployment;
  private connectOrigins: readonly string[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WebHostingProps,
  ) {
    super(scope, id);
    const { config, retainData } = props;
    const removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // CloudFront standard logs are written with ACLs, so this bucket (only) lets object writers own objects.
    this.logBucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      removalPolicy,
      lifecycleRules: [
        { id: 'expire-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(1) },
      ],
    });
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [{ id: 'expire-old-page-versions', noncurrentVersionExpiration: Duration.days(30) }],
    });
    sendServerAccessLogs(this.bucket, this.logBucket, SITE_LOG_PREFIX);

    const security = (cacheControl: string): cloudfront.ResponseHeadersPolicyProps => ({
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: Lazy.string({ produce: () => contentSecurityPolicy(this.connectOrigins) }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cache-Control', value: cacheControl, override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=()',
            override: true,
          },
        ],
      },
    });
    this.pageHeaders = new cloudfront.ResponseHeadersPolicy(this, 'PageHeaders', {
      comment: 'KASS web chat: security headers; index.html and config.json are never cached',
      ...security('no-cache'),
    });
    const assetHeaders = new cloudfront.ResponseHeadersPolicy(this, 'AssetHeaders', {
      comment: 'KASS web chat: security headers; hashed assets are immutable',
      ...security('public, max-age=31536000, immutable'),
    });

    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    const certificate = config.certificateArn
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.certificateArn)
      : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'KASS web chat',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(certificate && config.domainName
        ? {
            certificate,
            domainNames: [config.domainName],
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: CDN_LOG_PREFIX,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // index.html and config.json are tiny and must change the moment a deploy lands.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: this.pageHeaders,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'PageRoutes', {
              comment: 'KASS web chat: page routes are served by index.html',
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              code: cloudfront.FunctionCode.fromInline(SPA_ROUTING),
            }),
          },
        ],
      },
      additionalBehaviors: {
        '/assets/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: assetHeaders,
        },
      },
    });
    this.origin = `https://${config.domainName ?? this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;

    if (!props.cognitoEnabled) {
      Annotations.of(this).addWarningV2(
        'kass:web-api-key-mode',
        'web.enabled with chatApi.cognito.enabled=false: the hosted page asks each visitor for an API key. ' +
          'Fine for a dev stage; turn Cognito on before sharing the page.',
      );
    }
    this.acknowledgeFindings(Boolean(certificate));
    this.node.addValidation({
      validate: () =>
        this.deployment
          ? []
          : ['WebHosting: call connect() with the chat API endpoints (the page has no config).'],
    });
  }

  /**
   * Publishes the page and its `config.json` and lets the page connect to exactly the API, WebSocket and
   * sign-in origins of `page` (the CSP's `connect-src`).
   */
  connect(page: WebPageConfig): void {
    if (this.deployment) throw new Error('WebHosting.connect() was already called');
    this.connectOrigins = [
      originOf(page.apiUrl),
      originOf(page.websocketUrl),
      ...(page.auth.mode === 'cognito' && page.auth.domain ? [originOf(page.auth.domain)] : []),
    ];
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the KASS web page and its config.json into the site bucket (BucketDeployment)',
    });
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: this.props.logRetentionDays as logs.RetentionDays,
      removalPolicy: this.props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // With `network.vpc` the copy runs in the VPC too (S3 through the gateway endpoint).
    const network = KassNetwork.of(this);
    const placement = network?.placementFor(this);
    if (network && placement) network.grantNetworkInterfaces(role, placement);
    this.deployment = new s3deploy.BucketDeployment(this, 'Page', {
      ...(placement ?? {}),
      destinationBucket: this.bucket,
      sources: [this.props.pageAssets ?? builtPage(), s3deploy.Source.jsonData('config.json', page)],
      prune: true,
      retainOnDelete: this.props.retainData,
      memoryLimit: 256,
      role,
      logGroup,
    });
    this.acknowledgeDeployment(role);
  }

  private acknowledgeFindings(customDomain: boolean): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The chat page is for the organisation’s staff wherever they are; who may chat is decided by sign-in ' +
          '(Cognito) and the API, not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static files only (GET/HEAD from S3, no forwarding to the API); the chat ' +
          'API behind the page has its own WAF web ACL (chatApi.waf), throttles and usage plans.',
      },
    );
    if (!customDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'No web.domainName/certificateArn: the distribution uses the default *.cloudfront.net certificate, ' +
          'whose minimum protocol CloudFront fixes; set a custom domain to enforce TLSv1.2_2021.',
      });
    }
  }

  private acknowledgeDeployment(role: iam.Role): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find(
      (c) => c instanceof lambda.Function && c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'The BucketDeployment handler is aws-cdk-lib’s own Python function (it runs the AWS CLI layer); its ' +
          'runtime moves with aws-cdk-lib upgrades.',
      });
    }
    const copy =
      'BucketDeployment copies the page from the CDK asset bucket into the site bucket: read on the asset ' +
      'objects, write and prune on this site bucket only.';
    // The object wildcards are the two buckets' objects, read from the role's own policy (the asset bucket's
    // name depends on the synthesizer's bootstrap qualifier).
    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    const statements = (stack.resolve(policy?.document.toJSON()) as { Statement?: { Resource?: unknown }[] })
      ?.Statement;
    const objectResources = (statements ?? [])
      .flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]))
      .map((r) => nagResource(this, r as string))
      .filter((r) => r.endsWith('/*'));
    Validations.of(role).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', reason: copy },
      { id: 'AwsSolutions-IAM5[Action::s3:Abort*]', reason: copy },
      ...[...new Set(objectResources)].map((r) => ({
        id: `AwsSolutions-IAM5[Resource::${r}]`,
        reason: copy,
      })),
    );
  }
}

/** The page built by Vite from `web/` at synth, as a CDK asset (hashed from the sources; no Docker). */
function builtPage(): s3deploy.ISource {
  return s3deploy.Source.asset(WEB_ROOT, {
    exclude: ['dist', 'node_modules', '*.md'],
    bundling: {
      // Never used: local bundling always succeeds or throws with Vite's error.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string) {
          buildPage(path.resolve(outputDir));
          return true;
        },
      },
    },
  });
}
