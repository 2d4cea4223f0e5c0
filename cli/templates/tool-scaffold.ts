import { pascalCase } from '../../action-groups/kit/codegen/generate-types';

/**
 * The files `kass new-tool <name>` writes, as text. Pure: the command validates the name, generates the
 * handler types from the schema text below and writes the files. Each text passes the repository's checks
 * as generated: the schema every Bedrock rule (`checkSchemaText`), the TypeScript files `tsc` and `biome ci`.
 */

/** The example operation every new tool starts with. */
export const EXAMPLE_OPERATION = {
  operationId: 'getGreeting',
  method: 'GET',
  path: '/greeting',
} as const;

/** Repository-relative paths of a tool's files (forward slashes; join with the root to write them). */
export const scaffoldPaths = (name: string) =>
  ({
    schema: `schemas/${name}.yaml`,
    handler: `action-groups/${name}/handler.ts`,
    types: `action-groups/${name}/schema.generated.ts`,
    test: `tests/action-groups/${name}/handler.test.ts`,
  }) as const;

/** `schemas/<name>.yaml`: a Bedrock OpenAPI 3.0.0 document with one read-only example operation. */
export function renderSchema(name: string): string {
  return `# Action group "${name}" (the file name is the action-group name Bedrock sees).
# Scaffolded by \`kass new-tool\`: replace the example operation with the tool's own. Bedrock accepts a subset of
# OpenAPI 3.0.0: no enum (list allowed values in the description and validate them in the handler), at most
# 11 operations, and every POST/PUT/PATCH/DELETE needs x-requireConfirmation: ENABLED so the agent asks the user
# first. The model picks operations by their description: say what each one does and when to use it.
#
# Check:      npx kass schemas check schemas/${name}.yaml
# Then:       npx tsx action-groups/kit/codegen/cli.ts   (regenerates action-groups/${name}/schema.generated.ts)
openapi: 3.0.0
info:
  title: KASS ${name} tools
  version: 1.0.0
  description: Example tool scaffolded by kass new-tool; describe what this action group does for the user.
paths:
  ${EXAMPLE_OPERATION.path}:
    get:
      operationId: ${EXAMPLE_OPERATION.operationId}
      description: >-
        Example operation: returns a greeting for a name. Use it when the user asks to be greeted. Read-only;
        nothing is changed.
      parameters:
        - name: name
          in: query
          required: false
          description: Who to greet, e.g. Ada. At most 100 characters. Defaults to world.
          schema: { type: string, minLength: 1, maxLength: 100, default: world }
      responses:
        "200":
          description: The greeting.
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties:
                  message: { type: string, description: 'The greeting, e.g. "Hello, Ada!".' }
        "400":
          description: A parameter is invalid (e.g. name is too long); fix it and call again.
          content:
            application/json:
              schema:
                type: object
                properties:
                  error: { type: string, description: What is wrong. }
                  fields:
                    type: array
                    items: { type: string }
                    description: 'Each problem as "field: reason".'
`;
}

/** `action-groups/<name>/handler.ts`: `defineTool` typed by the generated `<Name>Operations`. */
export function renderHandler(name: string): string {
  const operations = `${pascalCase(name)}Operations`;
  return `import schema from '../../schemas/${name}.yaml';
import { defineTool } from '../kit/tool';
import type { ${operations} } from './schema.generated';

/**
 * Action group "${name}": one handler per operationId of its schema.
 * Handler types: \`${operations}\` in ./schema.generated.ts, generated from the schema
 * (after a schema change: npx tsx action-groups/kit/codegen/cli.ts). The kit parses the Bedrock event,
 * validates the input against the schema and builds the response.
 *
 * Keep this file thin: domain logic goes in pure modules next to it, AWS or HTTP access behind ports. Declare
 * what the tool needs (tables, topics, secrets, models, settings) in ./needs.ts (contracts/tool-needs.ts) and
 * read \`needs.env.read()\` at module scope, so a missing variable fails the cold start naming every one;
 * throw the kit's typed errors (../kit/errors: NotFound, InvalidInput, ...) for answers other than 200.
 * To record calls in the ToolLogs table, add \`recorder: toolCallLogFromEnv()\` from ../shared/tool-call-log.
 */
export const handler = defineTool<${operations}>({
  name: '${name}',
  schema,
  operations: {
    ${EXAMPLE_OPERATION.operationId}: async ({ params }) => ({ message: \`Hello, \${params.name}!\` }),
  },
});
`;
}

/**
 * `tests/action-groups/<name>/handler.test.ts`. Imports are in the order biome sorts them: path segments
 * compared one by one, so the tool's own handler comes before `action-groups/kit/...` when its name does.
 */
export function renderTest(name: string): string {
  const kitImports = [
    "import { buildAgentEvent } from '../../../action-groups/kit/event-builder';",
    "import type { AgentApiResponse } from '../../../action-groups/kit/response';",
    "import { missingHandlers } from '../../../action-groups/kit/tool';",
  ];
  const handlerImport = `import { handler } from '../../../action-groups/${name}/handler';`;
  const imports = name < 'kit' ? [handlerImport, ...kitImports] : [...kitImports, handlerImport];
  const { operationId } = EXAMPLE_OPERATION;
  return `${imports.join('\n')}
import schema from '../../../schemas/${name}.yaml';

const bodyOf = (response: AgentApiResponse): unknown =>
  JSON.parse(response.response.responseBody['application/json'].body);

describe('Handler: ${name} action group', () => {
  it('has a handler for every operation of the schema', () => {
    expect(missingHandlers(handler)).toEqual([]);
  });

  it('answers ${operationId} with a greeting', async () => {
    // Prepare
    const event = buildAgentEvent({
      group: '${name}',
      schemaText: schema,
      operationId: '${operationId}',
      params: { name: 'Ada' },
    });

    // Act
    const response = await handler(event);

    // Assess
    expect(response.response.httpStatusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ message: 'Hello, Ada!' });
  });

  it('greets the world when no name is given (the schema default)', async () => {
    // Prepare
    const event = buildAgentEvent({
      group: '${name}',
      schemaText: schema,
      operationId: '${operationId}',
    });

    // Act
    const response = await handler(event);

    // Assess
    expect(response.response.httpStatusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ message: 'Hello, world!' });
  });

  it('answers 400 naming the field when the input breaks the schema', async () => {
    // Prepare
    const event = buildAgentEvent({
      group: '${name}',
      schemaText: schema,
      operationId: '${operationId}',
      params: { name: 'x'.repeat(101) },
    });

    // Act
    const response = await handler(event);

    // Assess
    expect(response.response.httpStatusCode).toBe(400);
    expect(JSON.stringify(bodyOf(response))).toContain('name');
  });
});
`;
}
