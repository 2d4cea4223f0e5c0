import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { IdentitySigner, IdentityVerifier } from './identity';

/** The identity key is an HMAC_256 KMS key; this is its MAC algorithm. */
export const IDENTITY_MAC_ALGORITHM = 'HMAC_SHA_256';

/** The environment variable naming the identity key (set by the constructs on chat functions and tools). */
export const IDENTITY_KEY_ENV = 'IDENTITY_KEY_ARN';

/** Signs with KMS GenerateMac: only principals granted kms:GenerateMac on the key (the chat functions) can. */
export function kmsIdentitySigner(client: KMSClient, keyId: string): IdentitySigner {
  return {
    async sign(message) {
      const out = await client.send(
        new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: IDENTITY_MAC_ALGORITHM, Message: message }),
      );
      if (!out.Mac) throw new Error('KMS GenerateMac returned no MAC');
      return out.Mac;
    },
  };
}

/** Verifies with KMS VerifyMac (kms:VerifyMac only: a tool can check an assertion but never make one). */
export function kmsIdentityVerifier(client: KMSClient, keyId: string): IdentityVerifier {
  return {
    async verify(message, mac) {
      try {
        const out = await client.send(
          new VerifyMacCommand({
            KeyId: keyId,
            MacAlgorithm: IDENTITY_MAC_ALGORITHM,
            Message: message,
            Mac: mac,
          }),
        );
        return out.MacValid === true;
      } catch (error) {
        // A wrong MAC is an exception (KMSInvalidMacException): no identity. Anything else too, but it is logged
        // by the caller as a failed verification, never as a reason to trust the call.
        if ((error as { name?: string }).name === 'KMSInvalidMacException') return false;
        throw error;
      }
    },
  };
}

/** A KMS client from the standard SDK configuration (AWS_ENDPOINT_URL_KMS points it elsewhere). */
export const defaultKmsClient = (): KMSClient => new KMSClient({});
