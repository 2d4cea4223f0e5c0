import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ErrorContext, InvalidRequest, toErrorReply } from './errors';

/** What the response helpers need of a REST event. */
export type RestRequest = Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>;

const BASE_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/** A header value regardless of case (API Gateway keeps the client's casing for REST). */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** CORS headers when the request's Origin is one of the configured origins; nothing otherwise. */
export function corsHeaders(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const origin = header(event, 'origin');
  if (!origin || !allowedOrigins.includes(origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/** A JSON response with no-store caching and, for allowed origins, CORS headers. */
export function jsonResponse(
  status: number,
  body: unknown,
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  allowedOrigins: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { ...BASE_HEADERS, ...corsHeaders(event, allowedOrigins), ...headers },
    body: JSON.stringify(body),
  };
}

/** The response for an error: typed errors get their status and safe message, anything else a 500. */
export function errorResponse(
  error: unknown,
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  allowedOrigins: readonly string[],
  context: ErrorContext = {},
): APIGatewayProxyResult {
  const reply = toErrorReply(error, context);
  return jsonResponse(reply.status, reply.body, event, allowedOrigins, reply.headers);
}

/** The JSON body of a request (base64-decoded when API Gateway encoded it), or `InvalidRequest`. */
export function parseJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new InvalidRequest(['body: is required (a JSON object)']);
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequest(['body: is not valid JSON']);
  }
}
