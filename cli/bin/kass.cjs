#!/usr/bin/env node
'use strict';
// The `kass` executable (package.json "bin"). Runs the TypeScript CLI in cli/main.ts through tsx.
const fs = require('node:fs');
const path = require('node:path');

// Schemas and prompt files are imported as text, as esbuild's `text` loader and the jest transform do.
for (const extension of ['.yaml', '.md', '.txt']) {
  require.extensions[extension] = (module, filename) => {
    module.exports = fs.readFileSync(filename, 'utf8');
  };
}

// tsx 4: `tsx/cjs` compiles .ts files loaded with require(); `tsx/esm` (module.register hooks) handles the
// `await import('./commands/...')` that cli/main.ts uses to load commands lazily.
require('tsx/cjs');

// The SDK warns on every run under Node 20 about its future Node 22 floor; the pinned versions support Node 20.
// (Set through the one environment module, before any command loads the SDK.)
require(path.join(__dirname, '..', '..', 'contracts', 'env.ts')).defaultProcessEnv({
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

import('tsx/esm')
  .then(() => require(path.join(__dirname, '..', 'main.ts')).main(process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`kass: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
