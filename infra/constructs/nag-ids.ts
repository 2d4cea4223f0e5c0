import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A resource as cdk-nag prints it in an IAM5 finding (`<LogicalId.Arn>/documents/*`,
 * `arn:<AWS::Partition>:bedrock:*::…`), so an acknowledgement names the exact finding wherever the
 * resource sits in the tree, without hard-coding hash-suffixed logical ids.
 */
export function nagResource(scope: Construct, value: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    const fn = node as Record<string, unknown>;
    if (Array.isArray(fn['Fn::Join'])) {
      const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if (Array.isArray(fn['Fn::GetAtt'])) {
      const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in fn) return `<${flatten(fn.Ref)}>`;
    if ('Fn::Sub' in fn) return flatten(fn['Fn::Sub']);
    return JSON.stringify(node);
  };
  return flatten(Stack.of(scope).resolve(value));
}
