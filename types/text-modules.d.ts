// Schemas and instruction files are bundled as text (esbuild `text` loader, jest and CLI text hooks),
// so a Lambda carries the exact OpenAPI document the agent was given.
declare module '*.yaml' {
  const text: string;
  export default text;
}
