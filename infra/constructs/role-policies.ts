import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** A policy statement as it will be in the template (tokens resolved to intrinsics). */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

type PolicyDocumentJson = { Statement?: ResolvedStatement[] };

const asArray = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** The actions of a statement, always as a list. */
export const actionsOf = (statement: ResolvedStatement): readonly string[] => asArray(statement.Action);

/**
 * Every Allow statement of every role in `scope`'s stack, by the role's logical id: its inline policies and the
 * policies (`AWS::IAM::Policy`, e.g. CDK's `DefaultPolicy`) attached to it. Read from the L1s, so statements
 * added by grants anywhere in the tree are included, exactly as they will be synthesized.
 */
export function roleStatements(scope: IConstruct): Map<string, ResolvedStatement[]> {
  const stack = Stack.of(scope);
  const byRole = new Map<string, ResolvedStatement[]>();
  const add = (roleId: string, doc: unknown) => {
    const statements = ((doc as PolicyDocumentJson | undefined)?.Statement ?? []).filter(
      (s) => s.Effect === 'Allow',
    );
    byRole.set(roleId, [...(byRole.get(roleId) ?? []), ...statements]);
  };
  for (const node of stack.node.findAll()) {
    if (node instanceof iam.CfnRole) {
      const roleId = stack.getLogicalId(node);
      byRole.set(roleId, byRole.get(roleId) ?? []);
      const inline = stack.resolve(node.policies) as { PolicyDocument?: unknown }[] | undefined;
      for (const policy of inline ?? []) add(roleId, policy.PolicyDocument);
    } else if (node instanceof iam.CfnPolicy) {
      const roles = stack.resolve(node.roles) as { Ref?: string }[] | undefined;
      const doc = stack.resolve(node.policyDocument);
      for (const role of roles ?? []) if (role.Ref) add(role.Ref, doc);
    }
  }
  return byRole;
}

/** The logical id of a role construct (`iam.Role`), or undefined for an imported role. */
export function roleLogicalId(role: iam.IRole | undefined): string | undefined {
  const cfn = role?.node.defaultChild;
  return cfn instanceof iam.CfnRole ? Stack.of(cfn).getLogicalId(cfn) : undefined;
}
