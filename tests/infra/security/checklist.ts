import type { SecurityCheck } from './check';
import { noWildcardActions } from './checks/01-no-wildcard-actions';
import { noManagedPolicies } from './checks/02-no-managed-policies';
import { bedrockInvokeScoped } from './checks/07-bedrock-invoke-scoped';
import { functionSettings } from './checks/08-function-settings';
import { batchItemFailures } from './checks/09-batch-item-failures';
import { noSecretInEnvironment } from './checks/12-no-secret-in-environment';
import { restStageLogging } from './checks/13-rest-stage-logging';
import { tablesProtected } from './checks/17-tables-protected';
import { bucketsLockedDown } from './checks/19-buckets-locked-down';
import { queuesLockedDown } from './checks/20-queues-locked-down';
import { alarmsCoverFailures } from './checks/25-alarms-cover-failures';

/** The security-checklist items scanned over synthesized templates, one check per file. */
export const SECURITY_CHECKS: readonly SecurityCheck[] = [
  noWildcardActions,
  noManagedPolicies,
  bedrockInvokeScoped,
  functionSettings,
  batchItemFailures,
  noSecretInEnvironment,
  restStageLogging,
  tablesProtected,
  bucketsLockedDown,
  queuesLockedDown,
  alarmsCoverFailures,
];
