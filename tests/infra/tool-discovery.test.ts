import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../infra/config/config-error';
import { REPO_ROOT } from '../../infra/constructs/kass-function';
import { discoverTools } from '../../infra/constructs/tool-discovery';

const fixtureSchema = fs.readFileSync(path.join(REPO_ROOT, 'tests/fixtures/infra/tickets.yaml'), 'utf8');

/** A throw-away repository layout with the given schemas and handler folders. */
function repoWith(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-tools-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('Function: discoverTools', () => {
  it('pairs each schema with its handler folder, in name order', () => {
    // Prepare
    const root = repoWith({
      'schemas/tickets.yaml': fixtureSchema,
      'action-groups/tickets/handler.ts': '',
      'schemas/alpha.yaml': fixtureSchema,
      'action-groups/alpha/handler.ts': '',
    });
    // Act
    const tools = discoverTools(root);
    // Assess
    expect(tools.map((t) => [t.name, t.handlerEntry])).toEqual([
      ['alpha', path.join('action-groups', 'alpha', 'handler.ts')],
      ['tickets', path.join('action-groups', 'tickets', 'handler.ts')],
    ]);
    expect(tools[0]?.operations.map((o) => o.operationId)).toEqual(['listTickets', 'createTicket']);
    expect(tools[0]?.description).toBe('Tickets for problems users report.');
  });

  it('finds the shipped tools of this repository', () => {
    const names = discoverTools(REPO_ROOT).map((t) => t.name);
    expect(names).toEqual(
      fs
        .readdirSync(path.join(REPO_ROOT, 'schemas'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.replace(/\.yaml$/, ''))
        .sort(),
    );
    expect(names).toEqual(expect.arrayContaining(['code-review', 'report', 'summarize']));
  });

  it('fails synth naming the missing handler and how to scaffold it', () => {
    const root = repoWith({ 'schemas/tickets.yaml': fixtureSchema });
    expect(() => discoverTools(root)).toThrow(ConfigError);
    expect(() => discoverTools(root)).toThrow(/no handler; create action-groups\/tickets\/handler.ts/);
  });

  it('fails synth with file and line when a schema breaks a Bedrock rule', () => {
    const broken = fixtureSchema.replace('openapi: 3.0.0', 'openapi: 3.0.3');
    const root = repoWith({ 'schemas/tickets.yaml': broken, 'action-groups/tickets/handler.ts': '' });
    expect(() => discoverTools(root)).toThrow(/schemas\/tickets\.yaml:1: \[openapi-version\]/);
  });

  it('rejects an action-group description longer than Bedrock allows', () => {
    const long = fixtureSchema.replace('Tickets for problems users report.', 'x'.repeat(201));
    const root = repoWith({ 'schemas/tickets.yaml': long, 'action-groups/tickets/handler.ts': '' });
    expect(() => discoverTools(root)).toThrow(/info.description is 201 characters/);
  });
});
