import * as apigw from 'aws-cdk-lib/aws-apigateway';

/** JSON bodies for the errors API Gateway answers itself (validation, keys, throttling, timeouts). */
export function addGatewayResponses(api: apigw.RestApi, origins: readonly string[]): void {
  // A static header can name one origin only; with several, browsers see the status without the body.
  const responseHeaders =
    origins.length === 1 ? { 'Access-Control-Allow-Origin': `'${origins[0]}'`, Vary: "'Origin'" } : undefined;
  const body = (error: string, extra = '') => `{"error":"${error}"${extra},"requestId":"$context.requestId"}`;
  const responses: [string, apigw.ResponseType, string, string][] = [
    [
      'BadRequestBody',
      apigw.ResponseType.BAD_REQUEST_BODY,
      '400',
      body('The request body is invalid', ',"details":"$context.error.validationErrorString"'),
    ],
    [
      'BadRequestParameters',
      apigw.ResponseType.BAD_REQUEST_PARAMETERS,
      '400',
      body('A required request parameter is missing', ',"details":"$context.error.validationErrorString"'),
    ],
    [
      'InvalidApiKey',
      apigw.ResponseType.INVALID_API_KEY,
      '403',
      body('Missing or invalid API key (x-api-key)'),
    ],
    [
      'Unauthorized',
      apigw.ResponseType.UNAUTHORIZED,
      '401',
      body('Sign in: the Authorization token is missing or expired'),
    ],
    ['Throttled', apigw.ResponseType.THROTTLED, '429', body('Too many requests; retry with backoff')],
    [
      'QuotaExceeded',
      apigw.ResponseType.QUOTA_EXCEEDED,
      '429',
      body('The API key has used its quota for this period'),
    ],
    [
      'IntegrationTimeout',
      apigw.ResponseType.INTEGRATION_TIMEOUT,
      '504',
      body('The request took too long; use the WebSocket API for long chat turns'),
    ],
    ['Default4xx', apigw.ResponseType.DEFAULT_4XX, '400', body('The request was rejected')],
    ['Default5xx', apigw.ResponseType.DEFAULT_5XX, '500', body('Internal error; retry later')],
  ];
  for (const [rid, type, statusCode, template] of responses) {
    // DEFAULT_* keep the status API Gateway chose for the specific error.
    const keepStatus = type === apigw.ResponseType.DEFAULT_4XX || type === apigw.ResponseType.DEFAULT_5XX;
    api.addGatewayResponse(rid, {
      type,
      ...(keepStatus ? {} : { statusCode }),
      ...(responseHeaders ? { responseHeaders } : {}),
      templates: { 'application/json': template },
    });
  }
}
