import { Aspects, AssetHashType, type CfnResource, type IAspect, Lazy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct, IConstruct } from 'constructs';
import type { LambdaBundler } from './lambda-bundler';

/**
 * A function's code whose bundle is built after the whole stack is constructed: `bind` hands the function
 * lazy S3 coordinates, and the stack's {@link BundleAspect} then builds every bundle the stack uses in ONE
 * esbuild run (never an entry no function of this stack uses) and stages each as the function's asset, as
 * `lambda.Code.fromAsset` would have.
 */
export class DeferredBundleCode extends lambda.Code {
  public readonly isInline = false;
  private scope?: Construct;
  private resource?: CfnResource;
  private asset?: s3assets.Asset;

  constructor(
    /** The handler entry, relative to the repository root. */
    public readonly entry: string,
    private readonly bundler: () => LambdaBundler,
  ) {
    super();
  }

  bind(scope: Construct): lambda.CodeConfig {
    if (this.scope) throw new Error(`the code of ${this.entry} is already bound to ${this.scope.node.path}`);
    this.scope = scope;
    BundleAspect.of(Stack.of(scope), this.bundler).add(this);
    const built = (): s3assets.Asset => {
      if (!this.asset)
        throw new Error(`the bundle of ${this.entry} was not built: the stack's BundleAspect did not run`);
      return this.asset;
    };
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => built().s3BucketName }),
        objectKey: Lazy.string({ produce: () => built().s3ObjectKey }),
      },
    };
  }

  override bindToResource(resource: CfnResource): void {
    this.resource = resource;
  }

  /** Stages the built bundle as this function's asset (called by the aspect). */
  stage(dir: string, hash: string): void {
    if (!this.scope || this.asset) return;
    this.asset = new s3assets.Asset(this.scope, 'Code', {
      path: dir,
      deployTime: true,
      assetHash: hash,
      assetHashType: AssetHashType.CUSTOM,
    });
    if (this.resource) this.asset.addResourceMetadata(this.resource, 'Code');
  }
}

/** Builds, once per stack and before synthesis, the bundles of every deferred code bound in the stack. */
export class BundleAspect implements IAspect {
  private static readonly ofStack = new WeakMap<Stack, BundleAspect>();
  private readonly pending: DeferredBundleCode[] = [];
  private done = false;

  /** The stack's aspect, added to the stack on first use. */
  static of(stack: Stack, bundler: () => LambdaBundler): BundleAspect {
    let aspect = BundleAspect.ofStack.get(stack);
    if (!aspect) {
      aspect = new BundleAspect(stack, bundler);
      BundleAspect.ofStack.set(stack, aspect);
      Aspects.of(stack).add(aspect);
    }
    return aspect;
  }

  private constructor(
    private readonly stack: Stack,
    private readonly bundler: () => LambdaBundler,
  ) {}

  add(code: DeferredBundleCode): void {
    this.pending.push(code);
  }

  visit(node: IConstruct): void {
    if (node !== this.stack || this.done) return;
    this.done = true;
    const bundler = this.bundler();
    bundler.prepare(this.pending.map((code) => code.entry));
    for (const code of this.pending) {
      const bundle = bundler.bundle(code.entry);
      code.stage(bundle.dir, bundle.hash);
    }
  }
}
