import { ofType, record, type SecurityCheck, type SecurityFinding } from '../check';

interface Statement {
  readonly Action?: string | string[];
}

/** Item 1: no IAM statement (policy, managed policy or a role's inline policy) allows `*` or `service:*`. */
export const noWildcardActions: SecurityCheck = {
  item: 1,
  title: 'no IAM statement allows "*" or "service:*" actions',
  check(resources) {
    const documents = [
      ...ofType(resources, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy').map(
        ([id, r]) => [id, r.Properties?.PolicyDocument] as const,
      ),
      ...ofType(resources, 'AWS::IAM::Role').flatMap(([id, r]) =>
        ((r.Properties?.Policies as unknown[] | undefined) ?? []).map(
          (p) => [id, record(p).PolicyDocument] as const,
        ),
      ),
    ];
    const findings: SecurityFinding[] = [];
    for (const [id, document] of documents) {
      for (const statement of (record(document).Statement as Statement[] | undefined) ?? []) {
        for (const action of ([] as string[]).concat(statement.Action ?? [])) {
          if (action === '*' || /^[\w-]+:\*$/.test(action)) {
            findings.push({ resource: id, problem: `allows the action ${action}` });
          }
        }
      }
    }
    return { examined: documents.length, findings };
  },
};
