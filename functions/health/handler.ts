import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HEALTH_ENV } from '../../contracts/function-env';

/**
 * GET /health → `{status: 'ok', version}`. A liveness probe for load balancers and uptime checks: no
 * authentication, no AWS call, no SDK import (nothing here can fail or cost money per request).
 */
export const handler = async (_event?: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => ({
  statusCode: 200,
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  },
  body: JSON.stringify({ status: 'ok', version: HEALTH_ENV.read().appVersion || 'unknown' }),
});
