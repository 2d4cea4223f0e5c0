import type { DoctorAws, ModelAvailability } from './aws';
import { type CheckResult, failedCall } from './check-result';
import type { ModelNeed, StageNeeds } from './needs';

/** Model access: each model the stage calls is offered in the region, with the access it needs. */

/** `anthropic.claude-…` behind a profile: from the profile's model ARNs, else the id without its geography. */
const baseModelOf = (need: ModelNeed, modelArns: readonly string[]): string =>
  /foundation-model\/([\w.:-]+)$/.exec(modelArns[0] ?? '')?.[1] ??
  need.id.replace(/^[a-z-]+\.(?=[a-z]+\.)/, '');

export async function modelChecks(aws: DoctorAws, needs: StageNeeds, region: string): Promise<CheckResult[]> {
  let lifecycles: ReadonlyMap<string, string> | undefined;
  let listError: unknown;
  try {
    lifecycles = await aws.foundationModels();
  } catch (error) {
    listError = error;
  }
  return Promise.all(needs.models.map((need) => modelCheck(aws, need, region, lifecycles, listError)));
}

async function modelCheck(
  aws: DoctorAws,
  need: ModelNeed,
  region: string,
  lifecycles: ReadonlyMap<string, string> | undefined,
  listError: unknown,
): Promise<CheckResult> {
  const id = `model:${need.id}`;
  const title = `Model ${need.id} (${need.roles.join(', ')})`;
  const permission =
    'bedrock:GetInferenceProfile, bedrock:GetFoundationModelAvailability and bedrock:ListFoundationModels';
  let base = need.id;
  if (need.kind === 'inference-profile') {
    let profile: Awaited<ReturnType<DoctorAws['inferenceProfile']>>;
    try {
      profile = await aws.inferenceProfile(need.id);
    } catch (error) {
      return failedCall(id, title, error, { call: 'bedrock:GetInferenceProfile', permission });
    }
    const geo = need.id.split('.')[0];
    if (profile?.status !== 'ACTIVE')
      return {
        id,
        title,
        status: 'fail',
        detail: `the inference profile ${need.id} is ${profile ? profile.status : 'not offered'} in ${region}`,
        fix:
          `pick the geography of ${region} with agent.inferenceGeo (now '${geo}': eu, apac, us or global; README ` +
          `"Regions and models"), or deploy to a region of '${geo}'`,
      };
    base = baseModelOf(need, profile.modelArns);
  }
  let availability: ModelAvailability;
  try {
    availability = await aws.modelAvailability(base);
  } catch (error) {
    return failedCall(id, title, error, {
      call: `bedrock:GetFoundationModelAvailability ${base}`,
      permission,
    });
  }
  const modelAccess = `Bedrock console → Model access (region ${region})`;
  if (availability.region !== 'AVAILABLE')
    return {
      id,
      title,
      status: 'fail',
      detail: `${base} is not offered in ${region} (regionAvailability ${availability.region})`,
      fix:
        need.kind === 'inference-profile'
          ? `use a region of the profile's geography, or another agent.inferenceGeo`
          : `deploy to a region that offers ${base} (see the model card), or choose another model`,
    };
  if (availability.authorization !== 'AUTHORIZED')
    return {
      id,
      title,
      status: 'fail',
      detail: `no access to ${base} (authorizationStatus ${availability.authorization})`,
      fix:
        `${modelAccess}: request access to ${base}` +
        (base.startsWith('anthropic.')
          ? '; Anthropic models need the one-time use-case form, submitted once for the account'
          : '') +
        '; access can take a few minutes, then run kass doctor again',
    };
  if (availability.entitlement !== 'AVAILABLE')
    return {
      id,
      title,
      status: 'fail',
      detail: `the account is not entitled to ${base} (entitlementAvailability ${availability.entitlement})`,
      fix: `${modelAccess}: request access (it subscribes the account in AWS Marketplace); an SCP denying aws-marketplace:Subscribe blocks it`,
    };
  if (availability.agreement === 'PENDING')
    return {
      id,
      title,
      status: 'warn',
      detail: `the model agreement for ${base} is still pending`,
      fix: 'wait a few minutes and run kass doctor again',
    };
  if (availability.agreement !== 'AVAILABLE')
    return {
      id,
      title,
      status: 'fail',
      detail:
        `the model agreement for ${base} is ${availability.agreement}` +
        (availability.agreementMessage ? `: ${availability.agreementMessage}` : ''),
      fix: `${modelAccess}: accept the model's offer (End User License Agreement) for ${base}`,
    };
  const lifecycle = lifecycles?.get(base);
  if (lifecycle === undefined && need.kind === 'foundation-model' && lifecycles)
    return {
      id,
      title,
      status: 'fail',
      detail: `${base} is not listed by ListFoundationModels in ${region}`,
      fix: `deploy to a region that offers ${base}`,
    };
  if (lifecycle === 'LEGACY')
    return {
      id,
      title,
      status: 'warn',
      detail: `${base} is usable but Legacy: closed to new customers and may lose access`,
      fix: 'choose a current model in infra/config/stages.ts (agent.model, tools.*.model)',
    };
  const note = listError && !lifecycles ? ' (lifecycle not checked: ListFoundationModels failed)' : '';
  return {
    id,
    title,
    status: 'pass',
    detail: `${need.kind === 'inference-profile' ? `profile active in ${region}; ` : ''}access to ${base} granted${note}`,
  };
}

/** Messages Bedrock uses when an account may not create Agents Classic resources (matched loosely). */
