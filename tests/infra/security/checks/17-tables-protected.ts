import { ofType, record, type SecurityCheck, type SecurityFinding } from '../check';

/** Item 17: every table has PITR and encryption; a stage that keeps its data protects and retains them. */
export const tablesProtected: SecurityCheck = {
  item: 17,
  title: 'every table has PITR and encryption; prod tables are protected and retained',
  check(resources, { retainData }) {
    const tables = ofType(resources, 'AWS::DynamoDB::Table');
    const findings: SecurityFinding[] = [];
    for (const [id, table] of tables) {
      const p = table.Properties ?? {};
      if (record(p.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled !== true) {
        findings.push({ resource: id, problem: 'has no point-in-time recovery' });
      }
      if (p.SSESpecification === undefined)
        findings.push({ resource: id, problem: 'has no SSESpecification' });
      if (retainData && p.DeletionProtectionEnabled !== true) {
        findings.push({ resource: id, problem: 'is not deletion-protected' });
      }
      if (retainData && table.DeletionPolicy !== 'Retain') {
        findings.push({ resource: id, problem: 'is deleted with the stack' });
      }
    }
    return { examined: tables.length, findings };
  },
};
