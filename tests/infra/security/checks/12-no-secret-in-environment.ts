import { ofType, record, type SecurityCheck, type SecurityFinding } from '../check';

/** What a secret looks like in an environment value: a GitLab token, a PEM key, a long base64 blob. */
export const SECRET_LIKE = /glpat-|-----BEGIN|^[A-Za-z0-9+/]{40,}={0,2}$/;

/** Item 12: no environment value looks like a secret (secrets travel as ARNs). */
export const noSecretInEnvironment: SecurityCheck = {
  item: 12,
  title: 'no environment value looks like a secret',
  check(resources) {
    const functions = ofType(resources, 'AWS::Lambda::Function');
    const findings: SecurityFinding[] = [];
    for (const [id, fn] of functions) {
      const variables = record(record(fn.Properties?.Environment).Variables);
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value === 'string' && SECRET_LIKE.test(value)) {
          findings.push({ resource: id, problem: `${name} looks like a secret` });
        }
      }
    }
    return { examined: functions.length, findings };
  },
};
