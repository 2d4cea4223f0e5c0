import { z } from 'zod';

/** CloudFront only takes certificates from ACM in us-east-1. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Cognito hosted-UI prefixes: lower-case letters, digits, dashes; no aws/amazon/cognito (reserved). */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The web chat page (`web/`), hosted from a private S3 bucket behind CloudFront. Its origin joins the chat
 * API's allowed origins (CORS) and the Cognito app client's callback URLs.
 */
export const WebConfigSchema = z
  .strictObject({
    enabled: z.boolean(),
    /** A custom domain (e.g. `chat.example.com`); point a CNAME/alias at the distribution yourself. */
    domainName: z
      .string()
      .regex(DOMAIN_NAME, 'web.domainName must be a lower-case DNS name such as chat.example.com')
      .optional(),
    /** ACM certificate in us-east-1 covering `domainName` (CloudFront requires us-east-1). */
    certificateArn: z
      .string()
      .regex(
        CERTIFICATE_ARN,
        'web.certificateArn must be an ACM certificate ARN in us-east-1 (CloudFront requires it)',
      )
      .optional(),
    /**
     * Prefix of the Cognito hosted-UI domain (`<prefix>.auth.<region>.amazoncognito.com`), unique per region.
     * @default `kass-<stage>-<account id>`
     */
    cognitoDomainPrefix: z
      .string()
      .regex(DOMAIN_PREFIX, 'web.cognitoDomainPrefix must be lower-case letters, digits and dashes (max 63)')
      .refine(
        (p) => !/aws|amazon|cognito/.test(p),
        'web.cognitoDomainPrefix must not contain aws, amazon or cognito',
      )
      .optional(),
    /**
     * An imported user pool (`chatApi.cognito.userPoolArn`) has its own sign-in domain and app client: name them
     * here (the client needs the authorization-code flow, no secret, and the page's origin + `/` as callback).
     */
    cognitoSignIn: z
      .strictObject({
        domain: z.url({ protocol: /^https$/, error: 'web.cognitoSignIn.domain must be an https:// URL' }),
        clientId: z.string().regex(/^[\w+]{1,128}$/, 'web.cognitoSignIn.clientId must be an app client id'),
      })
      .optional(),
  })
  .refine((w) => !w.domainName === !w.certificateArn, {
    message: 'web.domainName and web.certificateArn go together: a custom domain needs its certificate',
    path: ['certificateArn'],
  });

export type WebConfig = z.infer<typeof WebConfigSchema>;
export type WebConfigInput = z.input<typeof WebConfigSchema>;
