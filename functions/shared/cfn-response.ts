import * as http from 'node:http';
import * as https from 'node:https';
import * as z from 'zod/mini';

/**
 * The CloudFormation custom-resource protocol: the request CloudFormation sends to the Lambda, and the response
 * the Lambda PUTs to the pre-signed S3 URL (CloudFormation waits for that PUT, not for the invocation's result;
 * without it the stack hangs for an hour).
 */
export const CustomResourceRequest = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.string().check(z.regex(/^https?:\/\//, 'must be an http(s) URL')),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.record(z.string(), z.unknown()),
  OldResourceProperties: z.optional(z.record(z.string(), z.unknown())),
});
export type CustomResourceRequest = z.infer<typeof CustomResourceRequest>;

export interface CustomResourceOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  /** Shown in the stack events when the deploy fails: what to fix, no secrets. */
  readonly reason?: string;
  readonly data?: Readonly<Record<string, string>>;
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

/** CloudFormation limits the response body to 4 KB; the reason is the part that can grow. */
const MAX_REASON = 1000;

export function responseFor(
  request: CustomResourceRequest,
  outcome: CustomResourceOutcome,
): CustomResourceResponse {
  return {
    Status: outcome.status,
    ...(outcome.reason ? { Reason: outcome.reason.slice(0, MAX_REASON) } : {}),
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    ...(outcome.data ? { Data: outcome.data } : {}),
  };
}

/** PUTs the response to the pre-signed URL (empty content type: the signature covers the headers it names). */
export function sendResponse(url: string, response: CustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300
            ? resolve()
            : reject(new Error(`the response URL answered ${res.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
