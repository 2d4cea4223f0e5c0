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
    types: `action-groups/${name}/schema.generated.ts`,
    needs: `action-groups/${name}/needs.ts`,
    domain: `action-groups/${name}/domain.ts`,
    tool: `action-groups/${name}/tool.ts`,
    handler: `action-groups/${name}/handler.ts`,
    test: `tests/action-groups/${name}/tool.test.ts`,
  }) as const;

/** The factory a tool's `tool.ts` exports: `createWeatherLookupTool` for `weather-lookup`. */
export const toolFactoryOf = (name: string): string => `create${pascalCase(name)}Tool`;

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

/**
 * `action-groups/<name>/needs.ts`: what the tool needs, as data infra reads (only the house variables at
 * first: its call log).
 */
export function renderNeeds(name: string): string {
  return `import { toolNeeds } from '../../contracts/tool-needs';

/**
 * What the ${name} tool needs, as data: every environment variable its handler reads and where the value comes
 * from (tableVar, topicVar, secretVar, modelVars, settingVar in contracts/tool-needs.ts). Infra sets exactly
 * these variables and grants exactly that; the handler reads them at cold start. The house variables (the call
 * log) are included. A tool that needs a longer timeout says so here: \`lambda: { timeoutSeconds: 60 }\`.
 */
export const needs = toolNeeds({ variables: {} });
`;
}

/** `action-groups/<name>/domain.ts`: the example operation's pure logic. */
export function renderDomain(name: string): string {
  return `/**
 * The ${name} tool's domain: pure functions over plain values, no AWS or HTTP. What the tool reads or writes
 * elsewhere goes behind a port (an interface here), with its adapter in a file of its own next to it (e.g.
 * report's TicketStore and dynamo-ticket-store.ts), wired in handler.ts.
 */

export interface Greeting {
  readonly message: string;
}

/** A greeting for \`name\`. */
export const greet = (name: string): Greeting => ({ message: \`Hello, \${name}!\` });
`;
}

/** Biome's line width: generated files are formatted as `biome format` would write them. */
const LINE_WIDTH = 110;

/** The factory's first line, or biome's broken form when it is too long for one line. */
const factorySignature = (factory: string, options: string): string => {
  const oneLine = `export function ${factory}(options: ${options} = {}): ToolHandler {`;
  return oneLine.length <= LINE_WIDTH
    ? oneLine
    : `export function ${factory}(\n  options: ${options} = {},\n): ToolHandler {`;
};

/** `action-groups/<name>/tool.ts`: `defineTool` typed by the generated `<Name>Operations`, over the domain. */
export function renderTool(name: string): string {
  const operations = `${pascalCase(name)}Operations`;
  const options = `${pascalCase(name)}ToolOptions`;
  return `import schema from '../../schemas/${name}.yaml';
import { defineTool, type ToolCallRecorder, type ToolHandler } from '../kit/tool';
import { greet } from './domain';
import type { ${operations} } from './schema.generated';

export interface ${options} {
  /** Stores one record per call (the ToolLogs table in the cloud). */
  readonly recorder?: ToolCallRecorder;
}

/**
 * Action group "${name}": one handler per operationId of its schema, each mapping its validated input to the
 * domain (./domain.ts). Handler types: \`${operations}\` in ./schema.generated.ts, generated from the schema
 * (after a schema change: npx tsx action-groups/kit/codegen/cli.ts). The kit parses the Bedrock event, validates
 * the input against the schema and builds the response; throw its typed errors (../kit/errors: NotFound,
 * InvalidInput, ...) for answers other than 200. handler.ts wires the adapters; tests build the tool directly.
 */
${factorySignature(toolFactoryOf(name), options)}
  return defineTool<${operations}>({
    name: '${name}',
    schema,
    ...(options.recorder ? { recorder: options.recorder } : {}),
    operations: {
      ${EXAMPLE_OPERATION.operationId}: async ({ params }) => greet(params.name),
    },
  });
}
`;
}

/** `action-groups/<name>/handler.ts`: the Lambda entry, wiring only. */
export function renderHandler(name: string): string {
  return `import { documentClient } from '../shared/clients';
import { toolCallLog } from '../shared/tool-call-log';
import { needs } from './needs';
import { ${toolFactoryOf(name)} } from './tool';

// Cold start: the whole environment (\`needs.ts\`) read at once, a missing or malformed variable fails the start
// naming every one; clients once per container, from the SDK's standard configuration.
const env = needs.env.read();

/** Lambda entry of the ${name} action group: the tool wired to its adapters. */
export const handler = ${toolFactoryOf(name)}({
  recorder: toolCallLog(env.toolLogsTable, documentClient()),
});
`;
}

/**
 * `tests/action-groups/<name>/tool.test.ts`. Imports are in the order biome sorts them: path segments
 * compared one by one, so the tool's own module comes before `action-groups/kit/...` when its name does.
 */
export function renderTest(name: string): string {
  const kitImports = [
    "import { buildAgentEvent } from '../../../action-groups/kit/event-builder';",
    "import type { AgentApiResponse } from '../../../action-groups/kit/response';",
    "import { missingHandlers } from '../../../action-groups/kit/tool';",
  ];
  const handlerImport = `import * as tool from '../../../action-groups/${name}/tool';`;
  const imports = name < 'kit' ? [handlerImport, ...kitImports] : [...kitImports, handlerImport];
  const { operationId } = EXAMPLE_OPERATION;
  return `${imports.join('\n')}
import schema from '../../../schemas/${name}.yaml';

const bodyOf = (response: AgentApiResponse): unknown =>
  JSON.parse(response.response.responseBody['application/json'].body);

const handler = tool.${toolFactoryOf(name)}();

describe('Tool: ${name} action group', () => {
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
