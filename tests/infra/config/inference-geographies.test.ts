import { buildApp } from '../../../infra/app';
import { ConfigError } from '../../../infra/config/config-error';
import {
  checkInferenceRegion,
  geographiesServing,
  INFERENCE_GEOGRAPHIES,
} from '../../../infra/config/inference-geographies';
import { loadStageConfig } from '../../../infra/config/load-config';

const build = (kassConfig: Record<string, unknown>, targetRegion?: string) =>
  buildApp({
    stage: 'dev',
    nag: false,
    context: { 'aws:cdk:bundling-stacks': [], 'kass:config': kassConfig },
    ...(targetRegion ? { targetRegion } : {}),
  });

describe('Module: inference-geographies', () => {
  it('lists regions for every geography the config accepts', () => {
    expect(Object.keys(INFERENCE_GEOGRAPHIES).sort()).toEqual(['apac', 'eu', 'global', 'us']);
    for (const regions of Object.values(INFERENCE_GEOGRAPHIES)) {
      for (const region of regions) expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    }
  });

  it('knows which geographies serve a region', () => {
    expect(geographiesServing('eu-west-1')).toEqual(['eu', 'global']);
    expect(geographiesServing('us-west-2')).toEqual(['us', 'global']);
    expect(geographiesServing('af-south-1')).toEqual([]);
  });

  describe('Function: checkInferenceRegion', () => {
    it('accepts a region of the geography, and no region at all (environment-agnostic, no CLI region)', () => {
      const config = loadStageConfig('dev');
      expect(() => checkInferenceRegion(config, 'us-east-1')).not.toThrow();
      expect(() => checkInferenceRegion(config, undefined)).not.toThrow();
    });

    it('names the keys, the region and the geographies that would serve it', () => {
      // Act
      let error: unknown;
      try {
        checkInferenceRegion(loadStageConfig('dev', { env: { region: 'eu-central-1' } }), 'eu-central-1');
      } catch (e) {
        error = e;
      }
      // Assess
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain("agent.inferenceGeo: 'us' inference profiles");
      expect(message).toContain('cannot be called from eu-central-1; env.region is eu-central-1');
      expect(message).toContain("Set agent.inferenceGeo to 'eu' or 'global'");
    });

    it('says when no geography serves the region at all', () => {
      expect(() => checkInferenceRegion(loadStageConfig('dev'), 'af-south-1')).toThrow(
        /No geography in infra\/config\/inference-geographies\.ts serves af-south-1/,
      );
    });
  });

  describe('Synth', () => {
    it('fails for a stage region outside the profile geography', () => {
      expect(() => build({ env: { region: 'ap-northeast-1' } })).toThrow(
        /agent\.inferenceGeo: 'us'[\s\S]*env\.region is ap-northeast-1[\s\S]*'apac' or 'global'/,
      );
    });

    it('fails for the CLI target region (CDK_DEFAULT_REGION) of an environment-agnostic stage', () => {
      expect(() => build({}, 'eu-west-3')).toThrow(/the target region is eu-west-3 \(CDK_DEFAULT_REGION\)/);
    });

    it('synthesizes when the geography matches the region', () => {
      const { stack } = build({ env: { region: 'eu-west-1' }, agent: { inferenceGeo: 'eu' } });
      expect(stack.region).toBe('eu-west-1');
    });
  });
});
