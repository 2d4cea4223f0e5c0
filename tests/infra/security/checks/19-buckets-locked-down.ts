import { ofType, record, type SecurityCheck, type SecurityFinding, text } from '../check';

const ALL_BLOCKED = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true,
};

/** Item 19: every bucket blocks public access, is versioned, encrypted, logged and SSL-only. */
export const bucketsLockedDown: SecurityCheck = {
  item: 19,
  title: 'every bucket blocks public access, is versioned, encrypted, logged and SSL-only',
  check(resources) {
    const buckets = ofType(resources, 'AWS::S3::Bucket');
    const policies = ofType(resources, 'AWS::S3::BucketPolicy').map(([, p]) => text(p.Properties));
    // Every bucket sends server access logs somewhere, or is itself where other buckets' logs go.
    const logDestinations = new Set(
      buckets.map(([, b]) => text(record(b.Properties?.LoggingConfiguration).DestinationBucketName)),
    );
    const findings: SecurityFinding[] = [];
    for (const [id, bucket] of buckets) {
      const p = bucket.Properties ?? {};
      const problem = (what: string) => findings.push({ resource: id, problem: what });
      if (text(p.PublicAccessBlockConfiguration) !== text(ALL_BLOCKED))
        problem('does not block all public access');
      if (p.BucketEncryption === undefined) problem('is not encrypted');
      if (record(p.VersioningConfiguration).Status !== 'Enabled') problem('is not versioned');
      const sslOnly = policies.some(
        (pol) => pol.includes(`"${id}"`) && pol.includes('"aws:SecureTransport":"false"'),
      );
      if (!sslOnly) problem('accepts plain HTTP (no aws:SecureTransport deny)');
      if (p.LoggingConfiguration === undefined && !logDestinations.has(text({ Ref: id }))) {
        problem('has no server access logs and receives none');
      }
    }
    return { examined: buckets.length, findings };
  },
};
