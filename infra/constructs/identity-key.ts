import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IDENTITY_KEY_ENV, IDENTITY_MAC_ALGORITHM } from '../../action-groups/kit/gateway/kms-identity';
import type { KassFunction } from './kass-function';

export interface IdentityKeyProps {
  /** Keep the key when the stack is deleted (prod). */
  readonly retainData: boolean;
}

/**
 * The HMAC key that carries the caller's identity to the tools on the AgentCore engine (see
 * `action-groups/kit/gateway/identity.ts`). Separation of duties: the chat functions may only sign
 * (kms:GenerateMac), the tools may only verify (kms:VerifyMac); no function can do both, and the key material never
 * leaves KMS.
 */
export class IdentityKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: IdentityKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'KASS: signs the caller identity the chat API hands the AgentCore tools (HMAC)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason:
        'KMS rotates only symmetric encryption keys; this is an HMAC_256 key. Its MACs live at most 16 minutes, so ' +
        'replacing the key (a new logical id) is the rotation, and nothing stored depends on it.',
    });
  }

  /** Lets the function mint identity assertions; sets IDENTITY_KEY_ARN. */
  grantSign(fn: KassFunction): void {
    this.grant(fn, 'kms:GenerateMac');
  }

  /** Lets the function check identity assertions; sets IDENTITY_KEY_ARN. */
  grantVerify(fn: KassFunction): void {
    this.grant(fn, 'kms:VerifyMac');
  }

  private grant(fn: KassFunction, action: string): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [action],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:MacAlgorithm': IDENTITY_MAC_ALGORITHM } },
      }),
    );
    fn.function.addEnvironment(IDENTITY_KEY_ENV, this.key.keyArn);
  }
}
