import { BedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { createRetrieve, formatFilter, parseFilter, usage } from '../../cli/commands/retrieve';
import { main } from '../../cli/main';
import { StackOutputs } from '../../cli/stack-outputs';
import type { FilterClause, FilterOperator, FilterScalar } from '../../client';
import { captureIo } from '../support/cli-io';

const KB = 'KB12345678';

const RESULTS = [
  {
    content: { type: 'TEXT' as const, text: 'Install the WireGuard client.\nImport the profile.' },
    location: { type: 'S3' as const, s3Location: { uri: 's3://kass-docs/documents/raw/vpn-runbook.md' } },
    metadata: {
      team: 'it-ops',
      year: 2025,
      tags: ['vpn', 'runbook'],
      'x-amz-bedrock-kb-source-uri': 's3://kass-docs/documents/raw/vpn-runbook.md',
      'x-amz-bedrock-kb-chunk-id': 'c1',
    },
    score: 0.8123,
  },
  {
    content: { type: 'TEXT' as const, text: 'Primary acknowledges within 5 minutes.' },
    location: { type: 'WEB' as const, webLocation: { url: 'https://wiki.kass.example/on-call' } },
    score: 0.41,
  },
];

// ---------------------------------------------------------------------------------------------------------

describe('Function: parseFilter', () => {
  it.each([
    ['team=it-ops', { operator: 'equals', key: 'team', value: 'it-ops' }],
    ['year=2024', { operator: 'equals', key: 'year', value: 2024 }],
    ['team="2024"', { operator: 'equals', key: 'team', value: '2024' }],
    ['public=true', { operator: 'equals', key: 'public', value: true }],
    ['team!=hr', { operator: 'notEquals', key: 'team', value: 'hr' }],
    ['year>2023', { operator: 'greaterThan', key: 'year', value: 2023 }],
    ['year>=2024', { operator: 'greaterThanOrEquals', key: 'year', value: 2024 }],
    ['score<0.5', { operator: 'lessThan', key: 'score', value: 0.5 }],
    ['year<=-1e3', { operator: 'lessThanOrEquals', key: 'year', value: -1000 }],
    ['team:in=it-ops,sre', { operator: 'in', key: 'team', value: ['it-ops', 'sre'] }],
    ['year:notIn=2022, 2023', { operator: 'notIn', key: 'year', value: [2022, 2023] }],
    ['team:in="a,b",c', { operator: 'in', key: 'team', value: ['a,b', 'c'] }],
    ['title:startsWith=VPN', { operator: 'startsWith', key: 'title', value: 'VPN' }],
    ['title:startswith=2024', { operator: 'startsWith', key: 'title', value: '2024' }],
    ['tags:listContains=vpn', { operator: 'listContains', key: 'tags', value: 'vpn' }],
    ['title:stringContains= laptop ', { operator: 'stringContains', key: 'title', value: 'laptop' }],
    ['year:greaterThanOrEquals=2024', { operator: 'greaterThanOrEquals', key: 'year', value: 2024 }],
    [
      'x-amz-bedrock-kb-data-source-id=DS1',
      { operator: 'equals', key: 'x-amz-bedrock-kb-data-source-id', value: 'DS1' },
    ],
    ['note==x', { operator: 'equals', key: 'note', value: '=x' }],
  ])('%s', (expression, clause) => {
    expect(parseFilter(expression)).toEqual({ ok: true, clause });
  });

  it.each([
    ['team', /is not a filter/],
    ['=x', /is not a filter/],
    ['team=', /missing value/],
    ['year>=abc', />= compares numbers; got "abc"/],
    ['year>=true', />= compares numbers; got true/],
    ['team:like=x', /unknown operator "like"/],
    ['team:in=a,,b', /missing value in the list/],
    ['team="unterminated', /bad quoted string/],
    [`${'k'.repeat(101)}=x`, /keys are 1-100 characters/],
  ])('rejects %s', (expression, message) => {
    const parsed = parseFilter(expression);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe('Property: filter syntax', () => {
  const key = fc.stringMatching(/^[A-Za-z0-9_.\-/é]{1,30}$/);
  const number = fc
    .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
    .map((n) => (Object.is(n, -0) ? 0 : n));
  // Strings with the characters the syntax gives meaning to: quotes, commas, spaces, backslashes, literals.
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '',
      ' ',
      ',',
      '"',
      '\\',
      'true',
      'false',
      '12',
      '-0',
      '1e400',
      ' a ',
      '"x"',
      'a,b',
      'a"b',
      '=x',
    ),
  );
  const scalar: fc.Arbitrary<FilterScalar> = fc.oneof(text, fc.boolean(), number);
  const clause: fc.Arbitrary<FilterClause> = fc.oneof(
    fc.record({
      operator: fc.constantFrom<FilterOperator>('equals', 'notEquals'),
      key,
      value: scalar,
    }),
    fc.record({
      operator: fc.constantFrom<FilterOperator>(
        'greaterThan',
        'greaterThanOrEquals',
        'lessThan',
        'lessThanOrEquals',
      ),
      key,
      value: number,
    }),
    fc.record({
      operator: fc.constantFrom<FilterOperator>('in', 'notIn'),
      key,
      value: fc.array(scalar, { minLength: 1, maxLength: 5 }),
    }),
    fc.record({
      operator: fc.constantFrom<FilterOperator>('startsWith', 'listContains', 'stringContains'),
      key,
      value: text,
    }),
  );

  it('parses what it formats back to the same clause', () => {
    fc.assert(
      fc.property(clause, (c) => {
        expect(parseFilter(formatFilter(c))).toEqual({ ok: true, clause: c });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (input) => {
        const parsed = parseFilter(input);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('types numbers for comparisons: key>=n gives the number n', () => {
    fc.assert(
      fc.property(key, fc.integer(), (k, n) => {
        expect(parseFilter(`${k}>=${n}`)).toEqual({
          ok: true,
          clause: { operator: 'greaterThanOrEquals', key: k, value: n },
        });
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('Command: kass retrieve', () => {
  const runtime = mockClient(BedrockAgentRuntimeClient);
  const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
  /** Stack outputs that cannot be read (no credentials): ids must come from flags or the environment. */
  const unreadableStack = (env: NodeJS.ProcessEnv) => (stage: string) =>
    new StackOutputs(stage, env, async () => ({ send: async () => Promise.reject(noCredentials) }) as never);
  let io = captureIo('/');

  beforeEach(() => {
    runtime.reset();
    io = captureIo('/');
  });

  const retrieve = (argv: string[], env: NodeJS.ProcessEnv = { KASS_KNOWLEDGE_BASE_ID: KB }) =>
    createRetrieve({ env, stackOutputs: unreadableStack(env) })(argv, io);

  /** Runs through `main`, as the kass binary does, with retrieve in the command table. */
  const kass = (argv: string[], env: NodeJS.ProcessEnv) =>
    main(['retrieve', ...argv], io, {
      retrieve: {
        args: '<query>',
        summary: 'retrieve',
        load: async () => ({ usage, run: createRetrieve({ env, stackOutputs: unreadableStack(env) }) }),
      },
    });

  it('sends a Retrieve with the query, the result count, hybrid search and an andAll filter', async () => {
    // Prepare
    runtime.on(RetrieveCommand).resolves({ retrievalResults: RESULTS });
    // Act
    const code = await retrieve([
      'VPN',
      'setup',
      '--top',
      '3',
      '--hybrid',
      '--filter',
      'team=it-ops',
      '-f',
      'year>=2024',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(runtime).toHaveReceivedCommandWith(RetrieveCommand, {
      knowledgeBaseId: KB,
      retrievalQuery: { text: 'VPN setup' },
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          numberOfResults: 3,
          overrideSearchType: 'HYBRID',
          filter: {
            andAll: [
              { equals: { key: 'team', value: 'it-ops' } },
              { greaterThanOrEquals: { key: 'year', value: 2024 } },
            ],
          },
        },
      },
    });
  });

  it('prints ranked chunks with score, source and metadata (without the service keys)', async () => {
    // Prepare
    runtime.on(RetrieveCommand).resolves({ retrievalResults: RESULTS });
    // Act
    const code = await retrieve(['vpn', '--filter', 'team:in=it-ops,sre']);
    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe(
      [
        `2 results for "vpn" in knowledge base ${KB} (semantic, filter: team:in=it-ops,sre):`,
        '',
        '1. 0.8123  s3://kass-docs/documents/raw/vpn-runbook.md',
        '   tags=vpn,runbook  team=it-ops  year=2025',
        '   │ Install the WireGuard client.',
        '   │ Import the profile.',
        '',
        '2. 0.4100  https://wiki.kass.example/on-call',
        '   │ Primary acknowledges within 5 minutes.',
        '',
      ].join('\n'),
    );
    expect(runtime).toHaveReceivedCommandWith(RetrieveCommand, {
      retrievalConfiguration: {
        vectorSearchConfiguration: {
          numberOfResults: 5,
          filter: { in: { key: 'team', value: ['it-ops', 'sre'] } },
        },
      },
    });
  });

  it('--json prints the results for scripts, --any combines with orAll', async () => {
    // Prepare
    runtime.on(RetrieveCommand).resolves({ retrievalResults: RESULTS });
    // Act
    const code = await retrieve(['vpn', '--json', '--any', '-f', 'team=sre', '-f', 'tags:listContains=vpn']);
    // Assess
    expect(code).toBe(0);
    const out = JSON.parse(io.out());
    expect(out.filter).toEqual({
      orAll: [{ equals: { key: 'team', value: 'sre' } }, { listContains: { key: 'tags', value: 'vpn' } }],
    });
    expect(out.results[0]).toEqual({
      rank: 1,
      score: 0.8123,
      uri: 's3://kass-docs/documents/raw/vpn-runbook.md',
      metadata: RESULTS[0]?.metadata,
      text: 'Install the WireGuard client.\nImport the profile.',
    });
  });

  it('says so when nothing matches', async () => {
    runtime.on(RetrieveCommand).resolves({ retrievalResults: [] });
    expect(await retrieve(['nothing'])).toBe(0);
    expect(io.out()).toBe(`No results for "nothing" in knowledge base ${KB} (semantic).\n`);
  });

  it.each([
    {
      name: 'access denied',
      error: { name: 'AccessDeniedException', message: 'User is not authorized' },
      message: `kass retrieve: Access denied calling bedrock:Retrieve on knowledge base ${KB}. Your credentials need bedrock:Retrieve on arn:aws:bedrock:<region>:<account>:knowledge-base/${KB}.\n`,
    },
    {
      name: 'an unknown knowledge base',
      error: { name: 'ResourceNotFoundException', message: 'KB not found' },
      message: `kass retrieve: Knowledge base ${KB} not found in this account/region. Check --knowledge-base-id (KASS_KNOWLEDGE_BASE_ID), --stage and AWS_REGION.\n`,
    },
    {
      name: 'a rejected request',
      error: { name: 'ValidationException', message: 'HYBRID search is not supported' },
      message:
        'kass retrieve: Retrieve rejected the request: HYBRID search is not supported (--hybrid needs a store with a text index: OpenSearch Serverless or Aurora)\n',
    },
    {
      name: 'throttling',
      error: { name: 'ThrottlingException', message: 'slow down' },
      message: 'kass retrieve: Bedrock throttled the request (ThrottlingException); try again in a moment.\n',
    },
  ])('explains $name', async ({ error, message }) => {
    // Prepare
    runtime.on(RetrieveCommand).rejects(Object.assign(new Error(error.message), { name: error.name }));
    // Act
    const code = await kass(['vpn', '--hybrid'], { KASS_KNOWLEDGE_BASE_ID: KB });
    // Assess
    expect(code).toBe(1);
    expect(io.err()).toBe(message);
  });

  describe('--hybrid on each vector store', () => {
    /** Stack outputs of a deployed stage whose knowledge base sits on `store`. */
    const deployedOn = (store: string | undefined) => (stage: string) =>
      new StackOutputs(
        stage,
        {},
        async () =>
          ({
            send: async () => ({
              Stacks: [
                {
                  Outputs: [
                    { OutputKey: 'KnowledgeBaseId', OutputValue: KB },
                    ...(store ? [{ OutputKey: 'KnowledgeBaseVectorStore', OutputValue: store }] : []),
                  ],
                },
              ],
            }),
          }) as never,
      );
    const onStack = (store: string | undefined, argv: string[], env: NodeJS.ProcessEnv = {}) =>
      createRetrieve({ env, stackOutputs: deployedOn(store) })(argv, io);

    it('refuses --hybrid on S3 Vectors before calling Bedrock, learning the store from the stack', async () => {
      await expect(onStack('s3-vectors', ['vpn', '--hybrid'])).rejects.toMatchObject({
        exitCode: 2,
        message:
          "--hybrid: hybrid search is not supported by this knowledge base's vector store (S3 Vectors): it " +
          `searches by meaning only; drop the hybrid option (knowledge base ${KB})`,
      });
      expect(runtime).not.toHaveReceivedCommand(RetrieveCommand);
    });

    it('runs a semantic search on S3 Vectors', async () => {
      runtime.on(RetrieveCommand).resolves({ retrievalResults: [] });
      expect(await onStack('s3-vectors', ['vpn'])).toBe(0);
      expect(runtime).toHaveReceivedCommandTimes(RetrieveCommand, 1);
    });

    it.each(['opensearch-serverless', 'aurora-pgvector'])('sends HYBRID on %s', async (store) => {
      runtime.on(RetrieveCommand).resolves({ retrievalResults: [] });
      expect(await onStack(store, ['vpn', '--hybrid'])).toBe(0);
      expect(runtime).toHaveReceivedCommandWith(RetrieveCommand, {
        retrievalConfiguration: {
          vectorSearchConfiguration: { numberOfResults: 5, overrideSearchType: 'HYBRID' },
        },
      });
      expect(io.out()).toContain('(hybrid)');
    });

    it('takes the store from KASS_VECTOR_STORE, also with an explicit knowledge-base id', async () => {
      const code = await kass(['vpn', '--hybrid'], {
        KASS_KNOWLEDGE_BASE_ID: KB,
        KASS_VECTOR_STORE: 's3-vectors',
      });
      expect(code).toBe(2);
      expect(io.err()).toContain('not supported by this knowledge base');
      expect(runtime).not.toHaveReceivedCommand(RetrieveCommand);
    });

    it('rejects an unknown KASS_VECTOR_STORE by name', async () => {
      expect(
        await kass(['vpn', '--hybrid'], { KASS_KNOWLEDGE_BASE_ID: KB, KASS_VECTOR_STORE: 'faiss' }),
      ).toBe(2);
      expect(io.err()).toBe(
        'kass retrieve: KASS_VECTOR_STORE must be one of opensearch-serverless, s3-vectors, aurora-pgvector (got "faiss")\n',
      );
    });

    it('lets Bedrock decide when the store cannot be known (an older stack, or an id from elsewhere)', async () => {
      runtime.on(RetrieveCommand).resolves({ retrievalResults: [] });
      expect(await onStack(undefined, ['vpn', '--hybrid'])).toBe(0);
      // An explicit id does not trust the stage's output: it may be another knowledge base.
      expect(await onStack('s3-vectors', ['vpn', '--hybrid', '--knowledge-base-id', 'KBOTHER123'])).toBe(0);
      expect(runtime).toHaveReceivedCommandTimes(RetrieveCommand, 2);
    });
  });

  it('says how to provide a missing knowledge-base id', async () => {
    expect(await kass(['vpn'], {})).toBe(1);
    expect(io.err()).toBe(
      'kass retrieve: No AWS credentials found to read stack kass-dev. Configure a profile (AWS_PROFILE) or pass --knowledge-base-id / set KASS_KNOWLEDGE_BASE_ID.\n',
    );
    expect(runtime).not.toHaveReceivedCommand(RetrieveCommand);
  });

  it.each([
    { argv: [], message: 'missing query: kass retrieve "<query>"' },
    { argv: ['q', '--top', '0'], message: '--top must be a whole number from 1 to 100 (got 0)' },
    { argv: ['q', '--top', '101'], message: '--top must be a whole number from 1 to 100 (got 101)' },
    {
      argv: ['q', '--filter', 'year>=soon'],
      message: '--filter "year>=soon": >= compares numbers; got "soon"',
    },
  ])('exits 2 on a usage error: $message', async ({ argv, message }) => {
    expect(await kass(argv, {})).toBe(2);
    expect(io.err()).toBe(`kass retrieve: ${message}\n`);
    expect(runtime).not.toHaveReceivedCommand(RetrieveCommand);
  });

  it('documents the filter syntax in --help', async () => {
    expect(await retrieve(['--help'])).toBe(0);
    expect(io.out()).toBe(usage);
    expect(usage).toContain('key:in=a,b,c');
    expect(usage).toContain("--filter 'year>=2024'");
  });
});
