import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../infra/app';
import { ConfigError } from '../../infra/config/config-error';
import { loadStageConfig } from '../../infra/config/load-config';
import { WebHosting, type WebHostingProps, webPageConfig } from '../../infra/constructs/web-hosting';
import { denyInsecureTransport, testApp, testStack } from '../support/cdk';
import { cfnLintInstalled, runCfnLint } from '../support/cfn-lint';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0f3c2a4b-1234-4cde-8f00-abcdef012345';

const PAGE = webPageConfig({
  stage: 'test',
  apiUrl: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/test/',
  websocketUrl: 'wss://w5s0ck3t42.execute-api.us-east-1.amazonaws.com/test',
  maxMessageChars: 4000,
  cognitoEnabled: true,
  signIn: {
    domain: 'https://kass-test-123456789012.auth.us-east-1.amazoncognito.com',
    clientId: 'webclient123',
  },
});

const build = (overrides: Partial<WebHostingProps> = {}, connect = true) => {
  const app = testApp();
  const stack = testStack(app);
  const web = new WebHosting(stack, 'Web', {
    config: { enabled: true },
    retainData: false,
    cognitoEnabled: true,
    logRetentionDays: 14,
    ...overrides,
  });
  if (connect) web.connect(PAGE);
  return { app, stack, web, template: Template.fromStack(stack) };
};

/** The CloudFront function's code, run as CloudFront would (a `handler(event)` script). */
function routeOf(template: Template, uri: string): string {
  const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
  const code = (fn?.Properties as { FunctionCode?: string } | undefined)?.FunctionCode ?? '';
  const context = vm.createContext({});
  vm.runInContext(code, context);
  const handler = (context as { handler: (e: unknown) => { uri: string } }).handler;
  return handler({ request: { uri, method: 'GET', headers: {} } }).uri;
}

const cspOf = (template: Template): string[] => {
  const policies = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
  return policies.map(
    (p) =>
      (
        p.Properties as {
          ResponseHeadersPolicyConfig: {
            SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: string } };
          };
        }
      ).ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy,
  );
};

describe('Class: WebHosting', () => {
  let built: ReturnType<typeof build>;
  let siteId: string;
  let logsId: string;
  let distributionId: string;
  beforeAll(() => {
    built = build();
    siteId = built.stack.getLogicalId(built.web.bucket.node.defaultChild as CfnElement);
    logsId = built.stack.getLogicalId(built.web.logBucket.node.defaultChild as CfnElement);
    distributionId = built.stack.getLogicalId(built.web.distribution.node.defaultChild as CfnElement);
  });

  it('keeps both buckets private, encrypted, versioned and SSL-only, with the site’s access logs', () => {
    const buckets = built.template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets).sort()).toEqual([logsId, siteId].sort());
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      expect(bucket.Properties).not.toHaveProperty('WebsiteConfiguration');
      expect(bucket.Properties).not.toHaveProperty('AccessControl');
    }
    expect(buckets[siteId]?.Properties).toMatchObject({
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'site-bucket/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    for (const id of [siteId, logsId]) {
      built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([denyInsecureTransport('s3:*')]) },
      });
    }
  });

  it('lets only this distribution read the site bucket, through origin access control', () => {
    built.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const [policy] = Object.values(
      built.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: siteId } } }),
    );
    const allows = ((policy?.Properties.PolicyDocument.Statement ?? []) as Record<string, unknown>[]).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: distributionId },
                ],
              ],
            },
          },
        },
      }),
    ]);
    const origins = built.template.toJSON().Resources[distributionId].Properties.DistributionConfig
      .Origins as Record<string, unknown>[];
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
  });

  it('sends HSTS, nosniff, frame-deny, a referrer policy and a CSP that connects only to the chat APIs and sign-in', () => {
    const policies = Object.values(built.template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toMatchObject({
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: 31_536_000,
          IncludeSubdomains: true,
          Override: true,
        },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        ContentSecurityPolicy: { Override: true },
      });
    }
    for (const csp of cspOf(built.template)) {
      const directives = Object.fromEntries(
        csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
      );
      expect(directives['connect-src']).toEqual([
        "'self'",
        'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
        'wss://w5s0ck3t42.execute-api.us-east-1.amazonaws.com',
        'https://kass-test-123456789012.auth.us-east-1.amazoncognito.com',
      ]);
      expect(directives['default-src']).toEqual(["'none'"]);
      expect(directives['script-src']).toEqual(["'self'"]);
      expect(directives['style-src']).toEqual(["'self'"]);
      expect(directives['frame-ancestors']).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
  });

  it('redirects to HTTPS, never caches the page or its config, caches hashed assets for a year', () => {
    const config = built.template.toJSON().Resources[distributionId].Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: expect.anything() }],
    });
    expect(config.CacheBehaviors).toEqual([
      expect.objectContaining({
        PathPattern: '/assets/*',
        ViewerProtocolPolicy: 'redirect-to-https',
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', // Managed-CachingOptimized
      }),
    ]);
    expect(config.Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [logsId, 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
    const cacheControl = Object.values(
      built.template.findResources('AWS::CloudFront::ResponseHeadersPolicy'),
    ).map(
      (p) =>
        p.Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items.find(
          (h: { Header: string }) => h.Header === 'Cache-Control',
        ).Value,
    );
    expect(cacheControl.sort()).toEqual(['no-cache', 'public, max-age=31536000, immutable']);
  });

  it.each([
    ['/', '/index.html'],
    ['/c/0f7c2f9e-1d2b-4c1a-9e1f-1234567890ab', '/index.html'],
    ['/?code=abc', '/index.html'],
    ['/config.json', '/config.json'],
    ['/assets/index-BV63yBo-.js', '/assets/index-BV63yBo-.js'],
    ['/favicon.ico', '/favicon.ico'],
  ])('routes %s to %s (page routes are served by index.html)', (uri, expected) => {
    expect(routeOf(built.template, uri.replace(/\?.*$/, ''))).toBe(expected);
  });

  it('publishes the page and a config.json resolved at deploy into the site bucket, pruning old files', () => {
    built.template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: siteId },
      Prune: true,
      SourceObjectKeys: Match.arrayWith([Match.stringLikeRegexp('\\.zip$')]),
    });
    const [deployment] = Object.values(built.template.findResources('Custom::CDKBucketDeployment'));
    expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
    // The config object is data, not part of the bundle: built files never hold endpoints or keys.
    expect(built.web.url).toBe(`${built.web.origin}/`);
  });

  it('runs the copy with its own role and a log group with retention (no managed policy)', () => {
    const roles = built.template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('BucketDeployment') },
    });
    const [role] = Object.values(roles);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    built.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('fails synth when the page is never connected to the APIs', () => {
    expect(() => build({}, false)).toThrow(/WebHosting: call connect\(\)/);
  });

  it('uses the custom domain with its certificate and TLS 1.2 when configured', () => {
    const custom = build({ config: { enabled: true, domainName: 'chat.example.com', certificateArn: CERT } });
    const config =
      custom.template.toJSON().Resources[
        custom.stack.getLogicalId(custom.web.distribution.node.defaultChild as CfnElement)
      ].Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['chat.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: CERT,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(custom.web.origin).toBe('https://chat.example.com');
  });

  it.each([
    ['the default certificate', {}],
    ['a custom domain', { config: { enabled: true, domainName: 'chat.example.com', certificateArn: CERT } }],
  ] as const)('passes cdk-nag with %s', (_name, overrides) => {
    const { app } = build(overrides as Partial<WebHostingProps>);
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('warns when the hosted page runs in API-key mode', () => {
    const dev = build({ cognitoEnabled: false });
    Annotations.fromStack(dev.stack).hasWarning(
      '*',
      Match.stringLikeRegexp('asks each visitor for an API key'),
    );
  });
});

describe('Config: web', () => {
  it.each([
    [
      { web: { enabled: true, domainName: 'chat.example.com' } },
      /web\.domainName and web\.certificateArn go together/,
    ],
    [
      {
        web: {
          enabled: true,
          domainName: 'chat.example.com',
          certificateArn: CERT.replace('us-east-1', 'eu-west-1'),
        },
      },
      /must be an ACM certificate ARN in us-east-1/,
    ],
    [
      { web: { enabled: true, cognitoDomainPrefix: 'my-aws-chat' } },
      /must not contain aws, amazon or cognito/,
    ],
    [{ web: { enabled: 'yes' } }, /web\.enabled/],
  ])('refuses %j', (overrides, message) => {
    expect(() => loadStageConfig('dev', overrides)).toThrow(ConfigError);
    expect(() => loadStageConfig('dev', overrides)).toThrow(message);
  });

  it('refuses a hosted page without Cognito in prod, naming both keys', () => {
    expect(() => loadStageConfig('prod', { chatApi: { cognito: { enabled: false } } })).toThrow(
      /web\.enabled.*chatApi\.cognito\.enabled=true/s,
    );
  });

  it('is off by default, on in prod', () => {
    expect(loadStageConfig('dev').web).toEqual({ enabled: false });
    expect(loadStageConfig('prod').web).toEqual({ enabled: true });
  });
});

describe('The stack with the web page', () => {
  const devWeb = () =>
    buildApp({
      stage: 'dev',
      context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { web: { enabled: true } } },
      nag: false,
    });
  let dev: ReturnType<typeof devWeb>;
  let prod: ReturnType<typeof buildApp>;
  let devTemplate: Template;
  let prodTemplate: Template;
  beforeAll(() => {
    dev = devWeb();
    prod = buildApp({ stage: 'prod', context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
    devTemplate = Template.fromStack(dev.stack);
    prodTemplate = Template.fromStack(prod.stack);
  });

  /** `https://<distribution domain>/` as the template spells it. */
  const pageUrl = (template: Template) => {
    const [id] = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
    return { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id, 'DomainName'] }, '/']] };
  };

  it('adds the distribution’s origin to the chat functions’ allowed origins (CORS)', () => {
    const functions = Object.values(devTemplate.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.ALLOWED_ORIGINS !== undefined,
    );
    expect(functions.length).toBeGreaterThanOrEqual(4);
    const [id] = Object.keys(devTemplate.findResources('AWS::CloudFront::Distribution'));
    for (const f of functions) {
      expect(JSON.stringify(f.Properties.Environment.Variables.ALLOWED_ORIGINS)).toContain(
        `"${id}","DomainName"`,
      );
      expect(JSON.stringify(f.Properties.Environment.Variables.ALLOWED_ORIGINS)).toContain(
        'http://localhost:3000',
      );
    }
    const preflight = Object.values(
      devTemplate.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
    );
    expect(preflight.length).toBeGreaterThan(0);
    for (const method of preflight)
      expect(JSON.stringify(method.Properties.Integration)).toContain(`"${id}","DomainName"`);
  });

  it('signs browsers in through a web client: code grant with the page as callback, no implicit grant', () => {
    prodTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [pageUrl(prodTemplate)],
      LogoutURLs: [pageUrl(prodTemplate)],
    });
    // The SRP client has no OAuth flows now that the pool has a hosted-UI domain.
    const clients = Object.values(prodTemplate.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(2);
    expect(clients.filter((c) => c.Properties.AllowedOAuthFlows === undefined)).toHaveLength(1);
    prodTemplate.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('accepts the web client’s tokens on WebSocket $connect', () => {
    const [webClient] = Object.keys(
      prodTemplate.findResources('AWS::Cognito::UserPoolClient', {
        Properties: { AllowedOAuthFlows: ['code'] },
      }),
    );
    const authorizer = Object.values(prodTemplate.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.COGNITO_CLIENT_IDS !== undefined,
    );
    expect(JSON.stringify(authorizer?.Properties.Environment.Variables.COGNITO_CLIENT_IDS)).toContain(
      webClient,
    );
  });

  it('serves GET /conversations; with Cognito, the page’s reads need the token only', () => {
    const method = (template: Template, operation: string) =>
      Object.values(
        template.findResources('AWS::ApiGateway::Method', { Properties: { OperationName: operation } }),
      )[0]?.Properties;
    expect(method(devTemplate, 'ListConversations')).toMatchObject({
      HttpMethod: 'GET',
      ApiKeyRequired: true,
    });
    for (const op of ['ListConversations', 'GetConversation']) {
      expect(method(prodTemplate, op)).toMatchObject({
        AuthorizationType: 'COGNITO_USER_POOLS',
        ApiKeyRequired: false,
      });
    }
    expect(method(prodTemplate, 'Chat')).toMatchObject({
      AuthorizationType: 'COGNITO_USER_POOLS',
      ApiKeyRequired: true,
    });
    // The list function may query the owner index and nothing else.
    const lister = Object.entries(prodTemplate.findResources('AWS::Lambda::Function')).find(
      ([, f]) => f.Properties.Environment?.Variables?.CONVERSATIONS_USER_INDEX === 'user_id-index',
    );
    expect(lister).toBeDefined();
    const roleId = (lister?.[1].Properties.Role as { 'Fn::GetAtt': string[] } | undefined)?.['Fn::GetAtt'][0];
    const [policy] = Object.values(
      prodTemplate.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Action: unknown;
      Resource: unknown;
    }[];
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb'))).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.any(String), 'Arn'] }, '/index/user_id-index']],
        },
      }),
    ]);
  });

  it('publishes the page configuration as an output for kass web, and the page URL', () => {
    const outputs = prodTemplate.toJSON().Outputs;
    expect(JSON.stringify(outputs.WebConfig.Value)).toContain('\\"mode\\":\\"cognito\\"');
    expect(outputs.WebUrl).toBeDefined();
    const devOutputs = Template.fromStack(
      buildApp({ stage: 'dev', context: { 'aws:cdk:bundling-stacks': [] }, nag: false }).stack,
    ).toJSON().Outputs;
    expect(JSON.stringify(devOutputs.WebConfig.Value)).toContain('\\"mode\\":\\"api-key\\"');
    expect(devOutputs.WebUrl).toBeUndefined();
  });

  it('has no dependency cycle between resources (the page, APIs and sign-in refer to each other)', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const resources = template.toJSON().Resources as Record<
        string,
        { Properties?: unknown; DependsOn?: string | string[] }
      >;
      const graph = new Map<string, Set<string>>();
      const collect = (node: unknown, into: Set<string>) => {
        if (Array.isArray(node)) for (const n of node) collect(n, into);
        else if (node && typeof node === 'object') {
          for (const [k, v] of Object.entries(node)) {
            if (k === 'Ref' && typeof v === 'string' && v in resources) into.add(v);
            else if (k === 'Fn::GetAtt' && Array.isArray(v) && String(v[0]) in resources)
              into.add(String(v[0]));
            else collect(v, into);
          }
        }
      };
      for (const [id, r] of Object.entries(resources)) {
        const deps = new Set<string>();
        collect(r.Properties, deps);
        for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
        graph.set(id, deps);
      }
      const state = new Map<string, 'open' | 'done'>();
      const cycle: string[] = [];
      const visit = (id: string, trail: string[]): boolean => {
        state.set(id, 'open');
        for (const next of graph.get(id) ?? []) {
          if (state.get(next) === 'open') {
            cycle.push(...trail, id, next);
            return true;
          }
          if (!state.has(next) && visit(next, [...trail, id])) return true;
        }
        state.set(id, 'done');
        return false;
      };
      for (const id of graph.keys()) if (!state.has(id) && visit(id, [])) break;
      expect(cycle).toEqual([]);
    }
  });

  it('passes cdk-nag with the page on in dev (API keys) and prod (Cognito)', () => {
    for (const app of [
      devWeb().app,
      buildApp({ stage: 'prod', context: { 'aws:cdk:bundling-stacks': [] }, nag: false }).app,
    ]) {
      const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
      expect(
        report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });

  const itWithCfnLint = cfnLintInstalled ? it : it.skip;
  itWithCfnLint('is cfn-lint clean with the page on in dev', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-cfnlint-web-'));
    const { app } = buildApp({
      stage: 'dev',
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], 'kass:config': { web: { enabled: true } } },
      nag: false,
    });
    const templates = app.synth().stacks.map((s) => path.join(outdir, s.templateFile));
    expect(runCfnLint(templates)).toEqual({ status: 0, findings: [] });
  });
});
