import { ofType, type SecurityCheck } from '../check';

/** Item 2: no AWS managed policy on any role (each role carries exactly what its function needs). */
export const noManagedPolicies: SecurityCheck = {
  item: 2,
  title: 'no AWS managed policy on any role',
  check(resources) {
    const roles = ofType(resources, 'AWS::IAM::Role');
    return {
      examined: roles.length,
      findings: roles
        .filter(([, role]) => role.Properties?.ManagedPolicyArns !== undefined)
        .map(([id, role]) => ({
          resource: id,
          problem: `attaches managed policies ${JSON.stringify(role.Properties?.ManagedPolicyArns)}`,
        })),
    };
  },
};
