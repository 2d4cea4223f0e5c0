import { en } from 'zod/locales';
import * as z from 'zod/mini';

/**
 * English issue messages for `zod/mini`. Import this module for its effect beside `import * as z from
 * 'zod/mini'` in runtime code (tools, Lambdas). zod/mini (a third of the classic API's bundle size) registers
 * no locale, so every issue would read just "Invalid input"; this registers English as classic zod does (only
 * when no locale is set yet), so the 400 bodies name what was expected and what was received.
 *
 * (Re-exporting the `z` namespace from here would defeat the bundler's tree shaking: the whole of zod/mini
 * would be bundled.)
 */
if (!z.config().localeError) z.config(en());
