import { createRequire } from 'node:module';
import * as path from 'node:path';
import { errorNameOf } from '../contracts/aws-errors';
import { fieldOf, stringFieldOf } from '../contracts/json';

/**
 * The real cause of a tool failure, for the developer running it locally. A tool answers the model with a
 * message written for it ("The ticket database rejected the request…") and keeps the AWS error in its logs;
 * `kass tool` records every AWS call that fails while the handler runs (service, operation, the table, topic,
 * model or secret it named, and the SDK's error name and message) and prints them after the response.
 *
 * The record is taken at the one place every AWS SDK v3 client goes through, the shared `Client.send` of
 * `@smithy/core/client` as the tool's repository resolves it: the tool's own clients are built inside its
 * handler module and cannot be handed a middleware from outside. Only this CLI process is affected, and only
 * while `record` is active.
 */

export interface FailedAwsCall {
  /** The client's service id, e.g. `DynamoDB`. */
  readonly service: string;
  /** The command without its suffix, e.g. `Query`. */
  readonly operation: string;
  /** The resource the call named, e.g. `table kass-dev-tickets`. */
  readonly resource?: string;
  /** The SDK's error name, e.g. `ResourceNotFoundException`. */
  readonly name: string;
  readonly message: string;
}

type Send = (this: unknown, command: unknown, ...rest: unknown[]) => unknown;

/** Input fields that name what a call is about, and how a message calls them. */
const RESOURCE_FIELDS: readonly (readonly [string, string])[] = [
  ['TableName', 'table'],
  ['IndexName', 'index'],
  ['TopicArn', 'topic'],
  ['modelId', 'model'],
  ['SecretId', 'secret'],
];

function describe(client: unknown, command: unknown, error: unknown): FailedAwsCall {
  const input = fieldOf(command, 'input');
  const resource = RESOURCE_FIELDS.flatMap(([field, label]) => {
    const value = stringFieldOf(input, field);
    return value ? [`${label} ${value}`] : [];
  }).join(', ');
  const constructorName =
    (command as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'Command';
  return {
    service: stringFieldOf(fieldOf(client, 'config'), 'serviceId') ?? 'AWS',
    operation: constructorName.replace(/Command$/, ''),
    ...(resource ? { resource } : {}),
    name: errorNameOf(error) || 'Error',
    message: stringFieldOf(error, 'message') ?? String(error),
  };
}

interface ClientPrototype {
  send: Send;
}

/**
 * The SDK client base classes a tool may use: this CLI's copy and the one the repository at `root` resolves
 * (the same module unless `--root` points at another checkout with its own node_modules).
 */
function clientPrototypes(root: string): ClientPrototype[] {
  const found = new Set<ClientPrototype>();
  const loaders: (() => unknown)[] = [
    () => require('@smithy/core/client'),
    () => createRequire(path.join(root, 'package.json'))('@smithy/core/client'),
  ];
  for (const load of loaders) {
    try {
      const proto = (load() as { Client?: { prototype: ClientPrototype } }).Client?.prototype;
      if (typeof proto?.send === 'function') found.add(proto);
    } catch {
      // not resolvable from there
    }
  }
  return [...found];
}

/** Records the AWS calls that fail while `run` runs; the calls are returned with its result. */
export async function recordAwsFailures<T>(
  root: string,
  run: () => Promise<T>,
): Promise<{ readonly result: T; readonly failures: readonly FailedAwsCall[] }> {
  const failures: FailedAwsCall[] = [];
  const patched = clientPrototypes(root).map((proto) => {
    const original = proto.send;
    proto.send = function (this: unknown, command: unknown, ...rest: unknown[]) {
      const sent = original.call(this, command, ...rest);
      if (sent instanceof Promise) {
        sent.catch((error: unknown) => {
          failures.push(describe(this, command, error));
        });
      }
      return sent;
    };
    return { proto, original };
  });
  try {
    return { result: await run(), failures };
  } finally {
    for (const { proto, original } of patched) proto.send = original;
  }
}

/** One line per distinct failure: `DynamoDB Query (table kass-dev-tickets): ResourceNotFoundException: …`. */
export function describeFailures(failures: readonly FailedAwsCall[]): string[] {
  const lines = failures.map(
    (f) => `${f.service} ${f.operation}${f.resource ? ` (${f.resource})` : ''}: ${f.name}: ${f.message}`,
  );
  return [...new Set(lines)];
}

/** A failure that is the missing region, whatever call hit it first. */
export const isMissingRegion = (failure: FailedAwsCall): boolean =>
  /region/i.test(failure.message) && /missing|not configured/i.test(failure.message);
