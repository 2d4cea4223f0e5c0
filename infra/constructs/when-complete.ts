import { Aspects } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Runs `build` once, when synthesis starts (aspects run after every constructor has finished), so a construct
 * can derive resources from the whole stack: a function, queue or grant added anywhere, even after it, is seen.
 */
export function whenComplete(scope: IConstruct, build: () => void): void {
  let built = false;
  Aspects.of(scope).add({
    visit: (node) => {
      if (node !== scope || built) return;
      built = true;
      build();
    },
  });
}
