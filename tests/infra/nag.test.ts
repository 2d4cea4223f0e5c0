import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildTestApp } from '../support/app';
import { discordConfig } from '../support/discord';

/** Every acknowledgement in the tree: construct path, rule id and reason. */
function acknowledgements(root: IConstruct) {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: node.node.path, id, reason });
      }
    }
  }
  return found;
}

/** The bare nag rule id (`AwsSolutions-IAM5[...]`) of an acknowledgement key. */
const bareRuleId = (id: string) => id.replace(/^(annotation::)?(AwsSolutions::)?/i, '');

describe('cdk-nag AwsSolutions over the whole app', () => {
  it.each(['dev', 'prod'])('reports no unacknowledged finding for %s', (stage) => {
    // Prepare
    const { app } = buildTestApp(stage);
    // Act
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    // Assess
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });

  it.each([
    ['dev', 's3-vectors'],
    ['dev', 'aurora-pgvector'],
    ['prod', 's3-vectors'],
    ['prod', 'aurora-pgvector'],
  ])('reports no unacknowledged finding for %s on %s', (stage, vectorStore) => {
    const { app } = buildTestApp(stage, { config: { knowledgeBase: { vectorStore } } });
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });

  it.each([
    ['prod', {}],
    ['prod with the Discord bot on', { discord: discordConfig('a1'.repeat(32)) }],
    [
      'prod with every operations option and the pipeline on',
      {
        network: { vpc: true },
        encryption: { customerManagedKey: true },
        audit: { cloudTrail: true, modelInvocationLogging: { enabled: true } },
        pipeline: {
          enabled: true,
          source: {
            connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d',
            repository: 'acme/kass',
          },
        },
      },
    ],
    ['prod on Aurora pgvector', { knowledgeBase: { vectorStore: 'aurora-pgvector' } }],
  ])(
    'gives every acknowledgement a specific reason and a finding that still fires without it (%s)',
    (_name, config) => {
      // Prepare
      const { app } = buildTestApp('prod', { config });
      const acks = acknowledgements(app).filter((a) => bareRuleId(a.id).startsWith('AwsSolutions-'));
      const unfiltered = new AwsSolutionsChecks(app);
      // Turn acknowledgements off to see what each one hides.
      Object.assign(unfiltered, { isAcknowledged: () => false });
      // Act
      const raw = unfiltered.validateScope(app).violations;
      // Assess
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.reason.length).toBeGreaterThanOrEqual(20);
        const hidden = raw.filter(
          (v) =>
            v.ruleName === bareRuleId(ack.id) &&
            v.violatingResources.some(
              (r) => r.constructPath === ack.path || (r.constructPath ?? '').startsWith(`${ack.path}/`),
            ),
        );
        expect({ ack: `${ack.path} ${ack.id}`, fires: hidden.length > 0 }).toEqual({
          ack: `${ack.path} ${ack.id}`,
          fires: true,
        });
      }
    },
  );
});
