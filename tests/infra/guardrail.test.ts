import * as path from 'node:path';
import * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type GuardrailPolicy, loadGuardrailPolicy } from '../../infra/config/guardrail-policy';
import { KassGuardrail, type KassGuardrailProps } from '../../infra/constructs/guardrail';
import { testApp, testStack } from '../support/cdk';

const POLICY = loadGuardrailPolicy(path.resolve(__dirname, '../../guardrails/policy.yaml'));

/** A fresh app and stack (bundling skipped) holding one KassGuardrail, plus whatever `extra` adds before synth. */
function build(
  props: Partial<KassGuardrailProps> = {},
  extra?: (stack: Stack, kassGuardrail: KassGuardrail) => void,
) {
  const stack = testStack(testApp());
  const kassGuardrail = new KassGuardrail(stack, 'Guardrail', { policy: POLICY, ...props });
  extra?.(stack, kassGuardrail);
  return { stack, kassGuardrail, template: Template.fromStack(stack) };
}

/** The only resource of `type` in the template, with its logical id. */
function single(template: Template, type: string) {
  const resources = Object.entries(template.findResources(type));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0] as [string, { Properties: Record<string, unknown> }];
  return { logicalId, properties: resource.Properties };
}

describe('Class: KassGuardrail', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  });

  describe('Resource: AWS::Bedrock::Guardrail', () => {
    it('filters prompt attacks on input only (HIGH in, NONE out)', () => {
      built.template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        ContentPolicyConfig: {
          FiltersConfig: Match.arrayWith([
            Match.objectLike({ Type: 'PROMPT_ATTACK', InputStrength: 'HIGH', OutputStrength: 'NONE' }),
          ]),
        },
      });
    });

    it('renders every content filter of the policy with its strengths, blocking in both directions', () => {
      // Act
      const { properties } = single(built.template, 'AWS::Bedrock::Guardrail');
      const config = properties.ContentPolicyConfig as { FiltersConfig: Record<string, unknown>[] };
      // Assess
      expect(config.FiltersConfig.map((f) => [f.Type, f.InputStrength, f.OutputStrength])).toEqual([
        ['SEXUAL', 'HIGH', 'HIGH'],
        ['VIOLENCE', 'HIGH', 'HIGH'],
        ['HATE', 'HIGH', 'HIGH'],
        ['INSULTS', 'MEDIUM', 'MEDIUM'],
        ['MISCONDUCT', 'MEDIUM', 'MEDIUM'],
        ['PROMPT_ATTACK', 'HIGH', 'NONE'],
      ]);
      expect(config.FiltersConfig.every((f) => f.InputAction === 'BLOCK' && f.OutputAction === 'BLOCK')).toBe(
        true,
      );
      expect(config).toMatchObject({ ContentFiltersTierConfig: { TierName: 'CLASSIC' } });
    });

    it('anonymizes contact PII and blocks AWS keys, passwords and card data, in both directions', () => {
      // Prepare: the per-direction actions are the ones applied, so they must match Action (not the alpha's BLOCK).
      const pii = (type: string, action: string) =>
        Match.objectLike({ Type: type, Action: action, InputAction: action, OutputAction: action });
      // Assess
      built.template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        SensitiveInformationPolicyConfig: {
          PiiEntitiesConfig: Match.arrayWith([
            pii('EMAIL', 'ANONYMIZE'),
            pii('PHONE', 'ANONYMIZE'),
            pii('NAME', 'ANONYMIZE'),
            pii('ADDRESS', 'ANONYMIZE'),
            pii('AWS_ACCESS_KEY', 'BLOCK'),
            pii('AWS_SECRET_KEY', 'BLOCK'),
            pii('PASSWORD', 'BLOCK'),
            pii('CREDIT_DEBIT_CARD_NUMBER', 'BLOCK'),
          ]),
        },
      });
    });

    it('blocks GitLab, Discord and private-key secrets with regexes', () => {
      // Act
      const { properties } = single(built.template, 'AWS::Bedrock::Guardrail');
      const regexes = (
        properties.SensitiveInformationPolicyConfig as { RegexesConfig: Record<string, string>[] }
      ).RegexesConfig;
      // Assess
      expect(regexes).toContainEqual(
        expect.objectContaining({
          Name: 'gitlab-personal-access-token',
          Pattern: 'glpat-[0-9A-Za-z_-]{20,}',
          Action: 'BLOCK',
        }),
      );
      expect(regexes.map((r) => r.Name)).toEqual([
        'gitlab-personal-access-token',
        'gitlab-other-tokens',
        'discord-bot-token',
        'private-key-header',
      ]);
      expect(
        regexes.every((r) => [r.Action, r.InputAction, r.OutputAction].every((a) => a === 'BLOCK')),
      ).toBe(true);
    });

    it('denies the policy topics, each with at most 5 examples', () => {
      // Act
      const { properties } = single(built.template, 'AWS::Bedrock::Guardrail');
      const topics = (properties.TopicPolicyConfig as { TopicsConfig: Record<string, unknown>[] })
        .TopicsConfig;
      // Assess
      expect(topics.map((t) => [t.Name, t.Type])).toEqual([
        ['Legal advice', 'DENY'],
        ['HR and employment decisions', 'DENY'],
        ['Investment advice', 'DENY'],
      ]);
      for (const topic of topics) {
        expect((topic.Examples as string[]).length).toBeLessThanOrEqual(5);
        expect((topic.Definition as string).length).toBeLessThanOrEqual(200);
      }
    });

    it('uses the managed PROFANITY word list', () => {
      built.template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        WordPolicyConfig: { ManagedWordListsConfig: [Match.objectLike({ Type: 'PROFANITY' })] },
      });
    });

    it('checks grounding and relevance at 0.7', () => {
      built.template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        ContextualGroundingPolicyConfig: {
          FiltersConfig: [
            { Type: 'GROUNDING', Threshold: 0.7, Action: 'BLOCK', Enabled: true },
            { Type: 'RELEVANCE', Threshold: 0.7, Action: 'BLOCK', Enabled: true },
          ],
        },
      });
    });

    it('takes its name, description and both blocked messages from the policy', () => {
      built.template.hasResourceProperties('AWS::Bedrock::Guardrail', {
        Name: 'kass-guardrail',
        Description: POLICY.description,
        BlockedInputMessaging: POLICY.blockedInputMessaging,
        BlockedOutputsMessaging: POLICY.blockedOutputsMessaging,
      });
    });
  });

  describe('Resource: AWS::Bedrock::GuardrailVersion', () => {
    it('creates exactly one numbered version of this guardrail', () => {
      // Act
      const guardrail = single(built.template, 'AWS::Bedrock::Guardrail');
      const version = single(built.template, 'AWS::Bedrock::GuardrailVersion');
      // Assess
      expect(version.properties.GuardrailIdentifier).toEqual({
        'Fn::GetAtt': [guardrail.logicalId, 'GuardrailId'],
      });
      const shortHash = built.kassGuardrail.policyHash.slice(0, 16);
      expect(version.properties.Description).toBe(`kass-guardrail policy sha256:${shortHash}`);
      expect(version.logicalId).toMatch(new RegExp(`Version${shortHash}$`));
    });

    it('is retained, not deleted, when a policy change replaces it (earlier agent versions name it)', () => {
      // Act
      const [, version] = Object.entries(
        built.template.findResources('AWS::Bedrock::GuardrailVersion'),
      )[0] as [string, { DeletionPolicy?: string; UpdateReplacePolicy?: string }];
      // Assess
      expect(version.DeletionPolicy).toBe('Retain');
      expect(version.UpdateReplacePolicy).toBe('Retain');
      // The guardrail itself follows the stack: deleting it removes all its versions.
      const guardrail = Object.values(built.template.findResources('AWS::Bedrock::Guardrail'))[0];
      expect(guardrail?.DeletionPolicy).not.toBe('Retain');
    });

    it('points guardrail.guardrailVersion and versionNumber at that version, not DRAFT', () => {
      // Act
      const version = single(built.template, 'AWS::Bedrock::GuardrailVersion');
      // Assess
      const expected = { 'Fn::GetAtt': [version.logicalId, 'Version'] };
      expect(built.stack.resolve(built.kassGuardrail.versionNumber)).toEqual(expected);
      expect(built.stack.resolve(built.kassGuardrail.guardrail.guardrailVersion)).toEqual(expected);
    });

    it('makes an Agent given the guardrail reference the numbered version', () => {
      // Act
      const { template } = build({}, (stack, kassGuardrail) => {
        new bedrock.Agent(stack, 'Agent', {
          foundationModel: bedrock.BedrockFoundationModel.ANTHROPIC_CLAUDE_HAIKU_4_5_V1_0,
          instruction: 'You are a test agent that answers questions about tickets for users.',
          guardrail: kassGuardrail.guardrail,
        });
      });
      // Assess
      const guardrail = single(template, 'AWS::Bedrock::Guardrail');
      const version = single(template, 'AWS::Bedrock::GuardrailVersion');
      template.hasResourceProperties('AWS::Bedrock::Agent', {
        GuardrailConfiguration: {
          GuardrailIdentifier: { 'Fn::GetAtt': [guardrail.logicalId, 'GuardrailId'] },
          GuardrailVersion: { 'Fn::GetAtt': [version.logicalId, 'Version'] },
        },
      });
    });

    it('gets a new logical id and description when the policy changes (a new numbered version)', () => {
      // Prepare
      const changed: GuardrailPolicy = {
        ...POLICY,
        blockedOutputsMessaging: 'Sorry, that answer is not available.',
      };
      const before = single(built.template, 'AWS::Bedrock::GuardrailVersion');
      // Act
      const after = build({ policy: changed });
      const version = single(after.template, 'AWS::Bedrock::GuardrailVersion');
      // Assess
      expect(version.logicalId).not.toBe(before.logicalId);
      expect(version.properties.Description).not.toBe(before.properties.Description);
      // The guardrail itself is updated in place (same logical id), keeping its id and older versions.
      expect(single(after.template, 'AWS::Bedrock::Guardrail').logicalId).toBe(
        single(built.template, 'AWS::Bedrock::Guardrail').logicalId,
      );
    });

    it('keeps the same logical id for the same policy, whatever else the app creates', () => {
      // Prepare: other constructs first, so token numbering differs from the first build.
      const stack = testStack(testApp());
      new bedrock.Guardrail(stack, 'Unrelated', { guardrailName: 'unrelated' }).createVersion('unrelated');
      // Act
      new KassGuardrail(stack, 'Guardrail', { policy: POLICY });
      const versions = Object.keys(Template.fromStack(stack).findResources('AWS::Bedrock::GuardrailVersion'));
      // Assess
      expect(versions).toContain(single(built.template, 'AWS::Bedrock::GuardrailVersion').logicalId);
    });

    it('does not count reordered YAML keys as a policy change', () => {
      // Prepare
      const reordered = Object.fromEntries(Object.entries(POLICY).reverse()) as GuardrailPolicy;
      // Act
      const { kassGuardrail } = build({ policy: reordered });
      // Assess
      expect(kassGuardrail.policyHash).toBe(built.kassGuardrail.policyHash);
    });
  });

  describe('Prop: policy', () => {
    it('is left unchanged (the alpha fills defaults into the filter objects it is given)', () => {
      // Prepare
      const policy = structuredClone(POLICY);
      // Act
      build({ policy });
      // Assess
      expect(policy).toEqual(POLICY);
    });
  });

  describe('Prop: guardrailName', () => {
    it('overrides the physical name (one guardrail per stage in a shared account)', () => {
      // Act
      const { template } = build({ guardrailName: 'kass-guardrail-dev' });
      // Assess
      template.hasResourceProperties('AWS::Bedrock::Guardrail', { Name: 'kass-guardrail-dev' });
    });

    it('rejects a name the service would refuse', () => {
      expect(() => build({ guardrailName: 'kass guardrail' })).toThrow(
        /guardrailName 'kass guardrail' must be/,
      );
    });
  });
});
