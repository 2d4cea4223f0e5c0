import { parseSchemaSource } from '../../../../action-groups/kit/openapi/document';
import { gatewayToolCount } from '../../../../action-groups/kit/schema-rules/gateway-tool-count';
import { MAX_GATEWAY_TOOLS } from '../../../../action-groups/kit/schema-rules/patterns';

/** A document with `n` GET operations `/t0` … `/t<n-1>` (operation i starts at line 5 + 4i). */
function document(n: number, file: string) {
  const paths = Array.from(
    { length: n },
    (_, i) => `  /t${i}:\n    get:\n      operationId: op${i}\n      description: Op ${i}.`,
  ).join('\n');
  return parseSchemaSource(`openapi: 3.0.0\ninfo: { title: T, version: 1.0.0 }\npaths:\n${paths}\n`, file);
}

describe('Rule: gateway-tool-count', () => {
  it(`accepts ${MAX_GATEWAY_TOOLS - 1} operations across files (the knowledge tool makes ${MAX_GATEWAY_TOOLS})`, () => {
    expect(gatewayToolCount([document(40, 'a.yaml'), document(MAX_GATEWAY_TOOLS - 41, 'b.yaml')])).toEqual(
      [],
    );
  });

  it('reports the first operation past the limit, in the file that declares it', () => {
    // Act
    const findings = gatewayToolCount([document(40, 'a.yaml'), document(MAX_GATEWAY_TOOLS - 40, 'b.yaml')]);
    // Assess
    expect(findings.map((f) => [f.rule, f.file, f.pointer])).toEqual([
      ['gateway-tool-count', 'b.yaml', `/paths/~1t${MAX_GATEWAY_TOOLS - 41}/get`],
    ]);
    expect(findings[0]?.message).toContain(`would carry ${MAX_GATEWAY_TOOLS + 1} tools`);
  });
});
