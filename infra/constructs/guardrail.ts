import * as bedrock from '@aws-cdk/aws-bedrock-alpha';
import { CfnResource, Names, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { contentHash } from '../config/content-hash';
import { GUARDRAIL_NAME_PATTERN, type GuardrailPolicy, type PiiEntityType } from '../config/guardrail-policy';

/** The flat service PII enum mapped onto the alpha's grouped classes (exhaustive: a new type fails to compile). */
const PII_TYPES: Record<PiiEntityType, bedrock.PIIType> = {
  ADDRESS: bedrock.GeneralPIIType.ADDRESS,
  AGE: bedrock.GeneralPIIType.AGE,
  NAME: bedrock.GeneralPIIType.NAME,
  EMAIL: bedrock.GeneralPIIType.EMAIL,
  PHONE: bedrock.GeneralPIIType.PHONE,
  USERNAME: bedrock.GeneralPIIType.USERNAME,
  PASSWORD: bedrock.GeneralPIIType.PASSWORD,
  DRIVER_ID: bedrock.GeneralPIIType.DRIVER_ID,
  LICENSE_PLATE: bedrock.GeneralPIIType.LICENSE_PLATE,
  VEHICLE_IDENTIFICATION_NUMBER: bedrock.GeneralPIIType.VEHICLE_IDENTIFICATION_NUMBER,
  CREDIT_DEBIT_CARD_CVV: bedrock.FinancePIIType.CREDIT_DEBIT_CARD_CVV,
  CREDIT_DEBIT_CARD_EXPIRY: bedrock.FinancePIIType.CREDIT_DEBIT_CARD_EXPIRY,
  CREDIT_DEBIT_CARD_NUMBER: bedrock.FinancePIIType.CREDIT_DEBIT_CARD_NUMBER,
  PIN: bedrock.FinancePIIType.PIN,
  INTERNATIONAL_BANK_ACCOUNT_NUMBER: bedrock.FinancePIIType.INTERNATIONAL_BANK_ACCOUNT_NUMBER,
  SWIFT_CODE: bedrock.FinancePIIType.SWIFT_CODE,
  IP_ADDRESS: bedrock.InformationTechnologyPIIType.IP_ADDRESS,
  MAC_ADDRESS: bedrock.InformationTechnologyPIIType.MAC_ADDRESS,
  URL: bedrock.InformationTechnologyPIIType.URL,
  AWS_ACCESS_KEY: bedrock.InformationTechnologyPIIType.AWS_ACCESS_KEY,
  AWS_SECRET_KEY: bedrock.InformationTechnologyPIIType.AWS_SECRET_KEY,
  US_BANK_ACCOUNT_NUMBER: bedrock.USASpecificPIIType.US_BANK_ACCOUNT_NUMBER,
  US_BANK_ROUTING_NUMBER: bedrock.USASpecificPIIType.US_BANK_ROUTING_NUMBER,
  US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER: bedrock.USASpecificPIIType.US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER,
  US_PASSPORT_NUMBER: bedrock.USASpecificPIIType.US_PASSPORT_NUMBER,
  US_SOCIAL_SECURITY_NUMBER: bedrock.USASpecificPIIType.US_SOCIAL_SECURITY_NUMBER,
  CA_HEALTH_NUMBER: bedrock.CanadaSpecificPIIType.CA_HEALTH_NUMBER,
  CA_SOCIAL_INSURANCE_NUMBER: bedrock.CanadaSpecificPIIType.CA_SOCIAL_INSURANCE_NUMBER,
  UK_NATIONAL_HEALTH_SERVICE_NUMBER: bedrock.UKSpecificPIIType.UK_NATIONAL_HEALTH_SERVICE_NUMBER,
  UK_NATIONAL_INSURANCE_NUMBER: bedrock.UKSpecificPIIType.UK_NATIONAL_INSURANCE_NUMBER,
  UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER: bedrock.UKSpecificPIIType.UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER,
};

type Action = 'BLOCK' | 'ANONYMIZE' | 'NONE';
type Directional = {
  inputAction?: Action;
  outputAction?: Action;
  inputEnabled?: boolean;
  outputEnabled?: boolean;
};

const action = (a: Action | undefined) => (a === undefined ? undefined : bedrock.GuardrailAction[a]);

/** The per-direction overrides every filter kind shares, as alpha enums. */
const directional = (f: Directional) => ({
  inputAction: action(f.inputAction),
  outputAction: action(f.outputAction),
  inputEnabled: f.inputEnabled,
  outputEnabled: f.outputEnabled,
});

export interface KassGuardrailProps {
  /** The validated guardrail policy (see `loadGuardrailPolicy`, usually `guardrails/policy.yaml`). */
  readonly policy: GuardrailPolicy;
  /**
   * Physical guardrail name. Names are unique per account and region, so give each stage its own
   * (e.g. `kass-guardrail-dev`) when stages share an account.
   * @default - `policy.name`
   */
  readonly guardrailName?: string;
}

/**
 * The KASS Bedrock guardrail built from policy data, plus a numbered version. `guardrail.guardrailVersion`
 * refers to that version, so an Agent given `guardrail` runs exactly the tested policy, never DRAFT.
 * A policy change creates a new version (the version's logical id and description carry the policy hash);
 * earlier versions are retained, not deleted, because earlier agent versions reference them.
 */
export class KassGuardrail extends Construct {
  /** The guardrail; its `guardrailVersion` is the numbered version below. */
  public readonly guardrail: bedrock.Guardrail;
  /** The numbered version (`Fn::GetAtt <version>.Version`, e.g. "3" once deployed). */
  public readonly versionNumber: string;
  /** sha256 (hex) of the canonical policy and name: changes exactly when a new version is needed. */
  public readonly policyHash: string;

  constructor(scope: Construct, id: string, props: KassGuardrailProps) {
    super(scope, id);
    const { policy } = props;
    const guardrailName = props.guardrailName ?? policy.name;
    if (!GUARDRAIL_NAME_PATTERN.test(guardrailName)) {
      throw new Error(`guardrailName '${guardrailName}' must be 1-50 letters, digits, - or _`);
    }
    this.policyHash = contentHash({ guardrailName, policy });

    this.guardrail = new bedrock.Guardrail(this, 'Guardrail', {
      guardrailName,
      description: policy.description,
      blockedInputMessaging: policy.blockedInputMessaging,
      blockedOutputsMessaging: policy.blockedOutputsMessaging,
      contentFilters: policy.contentFilters.map((f) => ({
        type: bedrock.ContentFilterType[f.type],
        inputStrength: bedrock.ContentFilterStrength[f.inputStrength],
        outputStrength: bedrock.ContentFilterStrength[f.outputStrength],
        inputModalities: f.inputModalities?.map((m) => bedrock.ModalityType[m]),
        outputModalities: f.outputModalities?.map((m) => bedrock.ModalityType[m]),
        ...directional(f),
      })),
      deniedTopics: (policy.deniedTopics ?? []).map((t) =>
        bedrock.Topic.custom({
          name: t.name,
          definition: t.definition,
          examples: t.examples,
          ...directional(t),
        }),
      ),
      wordFilters: (policy.words ?? []).map((w) => ({ text: w.text, ...directional(w) })),
      managedWordListFilters: (policy.managedWordLists ?? []).map((l) => ({
        type: bedrock.ManagedWordFilterType[l.type],
        ...directional(l),
      })),
      // The alpha fills unset input/outputAction with BLOCK, which would silently turn ANONYMIZE into BLOCK
      // (the per-direction action is the one applied), so both directions default to `action` here.
      piiFilters: policy.piiEntities.map((p) => ({
        type: PII_TYPES[p.type],
        action: bedrock.GuardrailAction[p.action],
        ...directional({
          ...p,
          inputAction: p.inputAction ?? p.action,
          outputAction: p.outputAction ?? p.action,
        }),
      })),
      regexFilters: (policy.regexes ?? []).map((r) => ({
        name: r.name,
        description: r.description,
        pattern: r.pattern,
        action: bedrock.GuardrailAction[r.action],
        ...directional({
          ...r,
          inputAction: r.inputAction ?? r.action,
          outputAction: r.outputAction ?? r.action,
        }),
      })),
      contextualGroundingFilters: (policy.contextualGrounding ?? []).map((g) => ({
        type: bedrock.ContextualGroundingFilterType[g.type],
        threshold: g.threshold,
        action: action(g.action),
        enabled: g.enabled,
      })),
    });

    // createVersion() adds the AWS::Bedrock::GuardrailVersion and repoints guardrail.guardrailVersion at it.
    // The description is part of the version (changing it replaces the resource), so it carries the hash.
    const shortHash = this.policyHash.slice(0, 16);
    this.versionNumber = this.guardrail.createVersion(`${guardrailName} policy sha256:${shortHash}`);

    // The alpha names the version after md5(JSON of the props), in which every policy is an unresolved Lazy,
    // and after md5 of a token string that depends on how many tokens exist. Its logical id therefore ignores
    // the policy yet moves when unrelated code changes. Pin it to the policy hash instead.
    const versions = this.guardrail.node
      .findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
      .filter((c) => c.cfnResourceType === 'AWS::Bedrock::GuardrailVersion');
    if (versions.length !== 1 || !versions[0]) {
      throw new Error(
        `expected one AWS::Bedrock::GuardrailVersion under ${this.node.path}, found ${versions.length}`,
      );
    }
    versions[0].overrideLogicalId(`${Names.uniqueId(this)}Version${shortHash}`);
    // A policy change creates the next version under a new logical id, and CloudFormation would then delete the
    // old one, which earlier agent versions (and a rollback of the alias to them) still name. Keep it; prune old
    // versions deliberately (README "Updating": aws bedrock delete-guardrail --guardrail-version). Deleting the
    // guardrail itself (cdk destroy of a stage that does not retain data) removes all of its versions.
    versions[0].applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
