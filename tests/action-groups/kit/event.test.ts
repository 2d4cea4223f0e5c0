import { extractRouting, parseAgentEvent } from '../../../action-groups/kit/event';
import { getTestEvent } from '../../support/events';

const load = (filename: string) => getTestEvent({ eventsPath: 'bedrock-agent', filename });

describe('Function: parseAgentEvent', () => {
  it.each(['openapi-get-no-params', 'openapi-get-path-param', 'openapi-post-body'])(
    'accepts the real event %s',
    (filename) => {
      // Prepare
      const raw = load(filename);

      // Act
      const result = parseAgentEvent(raw);

      // Assess
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.event.messageVersion).toBe('1.0');
      expect(result.event.agent).toEqual({
        name: 'kass-agent',
        id: 'KASSAGENT1',
        alias: 'TSTALIASID',
        version: 'DRAFT',
      });
      expect(result.event.apiPath).toBe(raw.apiPath);
    },
  );

  it('keeps the GET event without parameters or requestBody keys as absent', () => {
    // Act
    const result = parseAgentEvent(load('openapi-get-no-params'));

    // Assess
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.event.parameters).toBeUndefined();
    expect(result.event.requestBody).toBeUndefined();
  });

  it('reads the POST body properties as strings', () => {
    // Act
    const result = parseAgentEvent(load('openapi-post-body'));

    // Assess
    if (!result.ok) throw new Error('expected a valid event');
    expect(result.event.parameters).toEqual([]);
    expect(result.event.requestBody?.content['application/json']?.properties).toContainEqual({
      name: 'notify',
      type: 'boolean',
      value: 'true',
    });
  });

  it('tolerates fields Bedrock may add later', () => {
    // Prepare
    const raw = { ...load('openapi-get-path-param'), knowledgeBasesConfiguration: [], newField: { a: 1 } };

    // Act
    const result = parseAgentEvent(raw);

    // Assess
    expect(result.ok).toBe(true);
  });

  it('accepts missing attribute maps (they are optional)', () => {
    // Prepare
    const { sessionAttributes: _s, promptSessionAttributes: _p, ...raw } = load('openapi-get-path-param');

    // Act
    const result = parseAgentEvent(raw);

    // Assess
    expect(result.ok).toBe(true);
  });

  it('rejects a function-details event but still extracts its string routing fields', () => {
    // Act
    const result = parseAgentEvent(load('function-details'));

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(
      expect.arrayContaining([expect.stringMatching(/^apiPath: /), expect.stringMatching(/^httpMethod: /)]),
    );
    expect(result.routing).toEqual({
      actionGroup: 'summarize',
      sessionAttributes: { userId: 'discord-118765432109876543' },
      promptSessionAttributes: {},
    });
  });

  it.each([
    { name: 'missing apiPath', patch: { apiPath: undefined }, field: 'apiPath' },
    { name: 'numeric httpMethod', patch: { httpMethod: 7 }, field: 'httpMethod' },
    {
      name: 'non-string parameter value',
      patch: { parameters: [{ name: 'ticketId', type: 'string', value: 7 }] },
      field: 'parameters[0].value',
    },
    { name: 'parameters not a list', patch: { parameters: 'ticketId=1' }, field: 'parameters' },
    {
      name: 'non-string session attribute',
      patch: { sessionAttributes: { userId: 1 } },
      field: 'sessionAttributes.userId',
    },
    {
      // JSON.parse makes `__proto__` an own key, as in a real Lambda event; zod's record skips that key.
      name: 'non-string session attribute under __proto__',
      patch: { sessionAttributes: JSON.parse('{"__proto__": 5, "userId": "u"}') as unknown },
      field: 'sessionAttributes',
    },
    {
      name: 'agent missing its id',
      patch: { agent: { name: 'a', alias: 'b', version: 'c' } },
      field: 'agent.id',
    },
    {
      name: 'requestBody without properties',
      patch: { requestBody: { content: { 'application/json': {} } } },
      field: 'requestBody.content.application/json.properties',
    },
  ])('rejects an invalid event: $name', ({ patch, field }) => {
    // Prepare
    const raw = { ...load('openapi-get-path-param'), ...patch };

    // Act
    const result = parseAgentEvent(raw);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.some((issue) => issue.startsWith(`${field}: `))).toBe(true);
  });

  it.each([null, undefined, 'event', 42, [], [load('openapi-get-path-param')]])(
    'rejects a non-object input %#',
    (raw) => {
      // Act
      const result = parseAgentEvent(raw);

      // Assess
      expect(result).toEqual({ ok: false, issues: expect.any(Array), routing: {} });
    },
  );

  it('lists at most ten issues however broken the event is', () => {
    // Prepare
    const parameters = Array.from({ length: 1000 }, () => ({ name: 1, type: 2, value: 3 }));
    const raw = { ...load('openapi-get-path-param'), parameters };

    // Act
    const result = parseAgentEvent(raw);

    // Assess
    if (result.ok) throw new Error('expected an invalid event');
    expect(result.issues).toHaveLength(11);
    expect(result.issues[10]).toBe('… and 2990 more');
  });
});

describe('Function: extractRouting', () => {
  it('keeps only string routing fields and valid attribute maps', () => {
    // Act
    const routing = extractRouting({
      actionGroup: 'report',
      apiPath: 42,
      httpMethod: 'get',
      sessionAttributes: { a: 'b' },
      promptSessionAttributes: { a: 1 },
    });

    // Assess
    expect(routing).toEqual({ actionGroup: 'report', httpMethod: 'get', sessionAttributes: { a: 'b' } });
  });
});
