import { ofType, type SecurityCheck, text } from '../check';

/** Item 9: every event-source mapping reports batch item failures (one bad message is not retried with all). */
export const batchItemFailures: SecurityCheck = {
  item: 9,
  title: 'every SQS event source reports batch item failures',
  check(resources) {
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping');
    return {
      examined: mappings.length,
      findings: mappings
        .filter(([, m]) => text(m.Properties?.FunctionResponseTypes) !== text(['ReportBatchItemFailures']))
        .map(([id]) => ({ resource: id, problem: 'does not report batch item failures' })),
    };
  },
};
