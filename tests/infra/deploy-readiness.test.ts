import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { formatSummary, summarizeTemplate, UNRESERVED_MINIMUM } from '../../infra/summary';
import { buildTestApp } from '../support/app';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const resourcesOf = (template: Template) => template.toJSON().Resources as Resources;
const functions = (resources: Resources) =>
  Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

/** What a user meets on the first deploy, every update and the teardown, checked on the composed stacks. */
describe('Deploy readiness', () => {
  let dev: ReturnType<typeof buildTestApp>;
  let prod: ReturnType<typeof buildTestApp>;
  beforeAll(() => {
    dev = buildTestApp('dev');
    prod = buildTestApp('prod');
  });

  describe('A fresh account (concurrency quota 10) can deploy dev', () => {
    it('reserves concurrency on no function of the dev stack', () => {
      const reserved = functions(resourcesOf(dev.template)).filter(
        ([, f]) => f.Properties?.ReservedConcurrentExecutions !== undefined,
      );
      expect(reserved.map(([id]) => id)).toEqual([]);
    });

    it('says so in the synth summary', () => {
      const summary = summarizeTemplate(dev.stack.stackName, dev.template.toJSON());
      expect(summary.concurrency).toEqual({ reservations: [], totalReserved: 0, quotaNeeded: 0 });
      expect(formatSummary(summary)).toContain('Lambda concurrency: nothing reserved');
    });
  });

  describe('Prod states the concurrency quota it needs', () => {
    it('sums every reservation of the template and adds the 100 Lambda keeps unreserved', () => {
      // Prepare
      const expected = functions(resourcesOf(prod.template))
        .map(([, f]) => f.Properties?.ReservedConcurrentExecutions)
        .filter((n): n is number => typeof n === 'number')
        .reduce((sum, n) => sum + n, 0);
      // Act
      const summary = summarizeTemplate(prod.stack.stackName, prod.template.toJSON());
      // Assess
      expect(expected).toBe(135);
      expect(summary.concurrency.totalReserved).toBe(expected);
      expect(summary.concurrency.quotaNeeded).toBe(expected + UNRESERVED_MINIMUM);
      expect(summary.concurrency.reservations).toEqual(
        expect.arrayContaining([
          { name: 'kass-chat', reserved: 50 },
          { name: 'kass-ws-turn', reserved: 50 },
          { name: 'kass-search', reserved: 20 },
          { name: 'kass-summarize', reserved: 10 },
          { name: 'kass-code-review', reserved: 5 },
        ]),
      );
      expect(formatSummary(summary)).toContain(
        "reserves 135 (kass-chat 50, kass-ws-turn 50, kass-search 20, kass-summarize 10, kass-code-review 5); the account's concurrency quota must be at least 235",
      );
    });
  });

  describe('cdk destroy: dev deletes its buckets once kass empty-buckets emptied them, prod keeps its data', () => {
    // The documents bucket and its access-log bucket (prod also hosts the web page in buckets of its own).
    const bucketsOf = (template: Template) =>
      Object.entries(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
        .filter(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('Documents'))
        .map(([, r]) => r);

    it('deletes both buckets with the dev stack and names them and the retention in its outputs', () => {
      expect(bucketsOf(dev.template).map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete']);
      dev.template.hasOutput('DataRetention', { Value: 'destroy' });
      dev.template.hasOutput('DocumentsBucketName', {});
      dev.template.hasOutput('DocumentsAccessLogBucketName', {});
      // No auto-delete custom resource: emptying is the kass command's job.
      expect(JSON.stringify(dev.template.toJSON())).not.toContain('Custom::S3AutoDeleteObjects');
    });

    it('retains both buckets (and says so) in prod', () => {
      expect(bucketsOf(prod.template).map((b) => b.DeletionPolicy)).toEqual(['Retain', 'Retain']);
      prod.template.hasOutput('DataRetention', { Value: 'retain' });
    });
  });

  describe('A new vector-store generation rolls out as new resources and a new agent version', () => {
    it('replaces the collection, index and knowledge base by logical id and moves the alias', () => {
      // Prepare
      const next = buildApp({
        stage: 'dev',
        nag: false,
        context: {
          'aws:cdk:bundling-stacks': [],
          'kass:config': { knowledgeBase: { vectorStoreGeneration: 2, embedding: { dimensions: 512 } } },
        },
      });
      const before = resourcesOf(dev.template);
      const after = resourcesOf(Template.fromStack(next.stack));
      const idsOf = (resources: Resources, type: string) =>
        Object.entries(resources)
          .filter(([, r]) => r.Type === type)
          .map(([id]) => id);
      const aliasOf = (resources: Resources) =>
        Object.values(resources).find((r) => r.Type === 'AWS::Bedrock::AgentAlias')?.Properties?.Description;
      // Assess
      for (const type of [
        'AWS::OpenSearchServerless::Collection',
        'AWS::OpenSearchServerless::Index',
        'AWS::OpenSearchServerless::AccessPolicy',
        'AWS::Bedrock::KnowledgeBase',
      ]) {
        const old = idsOf(before, type);
        expect(idsOf(after, type).filter((id) => old.includes(id))).toEqual([]);
      }
      expect(aliasOf(after)).not.toEqual(aliasOf(before));
    });
  });
});
