import { ofType, type SecurityCheck, type SecurityFinding } from '../check';

/** Item 7: every permission that lets Bedrock invoke a Lambda names the source ARN and the account. */
export const bedrockInvokeScoped: SecurityCheck = {
  item: 7,
  title: 'every Bedrock invoke permission names the source ARN and account',
  check(resources) {
    const permissions = ofType(resources, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties?.Principal === 'bedrock.amazonaws.com',
    );
    const findings: SecurityFinding[] = [];
    for (const [id, p] of permissions) {
      if (p.Properties?.SourceArn === undefined) findings.push({ resource: id, problem: 'has no SourceArn' });
      if (p.Properties?.SourceAccount === undefined)
        findings.push({ resource: id, problem: 'has no SourceAccount' });
    }
    return { examined: permissions.length, findings };
  },
};
