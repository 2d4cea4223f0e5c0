// Jest counterpart of esbuild's `text` loader: a text file imports as its content string.
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
