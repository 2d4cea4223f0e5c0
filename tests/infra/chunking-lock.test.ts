import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type ChunkingLock,
  checkChunkingLock,
  chunkingHash,
  lockEntryFor,
  readChunkingLock,
  writeChunkingLock,
} from '../../infra/config/chunking-lock';
import { ConfigError } from '../../infra/config/config-error';
import {
  DEV_KNOWLEDGE_BASE,
  type KnowledgeBaseConfig,
  KnowledgeBaseConfigSchema,
  PROD_KNOWLEDGE_BASE,
} from '../../infra/config/knowledge-config';

const REPO_LOCK = path.resolve(__dirname, '../../knowledge/chunking.lock.json');

const kb = (overrides: Record<string, unknown> = {}): KnowledgeBaseConfig =>
  KnowledgeBaseConfigSchema.parse({ ...DEV_KNOWLEDGE_BASE, ...overrides });

const semantic = { strategy: 'SEMANTIC', maxTokens: 300, bufferSize: 1, breakpointPercentileThreshold: 95 };

describe('Module: chunking-lock', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kass-lock-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('Function: checkChunkingLock', () => {
    it('reports first use for a stage the lock does not know, with the entry to record', () => {
      // Act
      const result = checkChunkingLock('qa', kb(), {});
      // Assess
      expect(result).toEqual({ status: 'first-use', entry: lockEntryFor(kb()) });
    });

    it('is ok when the chunking and the generation match the lock', () => {
      expect(checkChunkingLock('dev', kb(), { dev: lockEntryFor(kb()) })).toEqual({ status: 'ok' });
    });

    it('fails a changed chunking at the same generation, printing the old chunking and both ways out', () => {
      // Prepare
      const lock: ChunkingLock = { dev: lockEntryFor(kb()) };
      // Act
      const result = checkChunkingLock('dev', kb({ chunking: semantic }), lock);
      // Assess
      expect(result.status).toBe('mismatch');
      const message = result.status === 'mismatch' ? result.message : '';
      expect(message).toContain('chunking cannot change after the data source is created');
      expect(message).toContain(
        'restore the previous chunking: {"strategy":"FIXED_SIZE","maxTokens":512,"overlapPercentage":20}',
      );
      expect(message).toContain('bump knowledgeBase.dataSourceGeneration to 2');
      expect(message).toContain('full `kass sync`');
    });

    it('records a new chunking under a bumped generation', () => {
      // Prepare
      const lock: ChunkingLock = { dev: lockEntryFor(kb()) };
      const next = kb({ chunking: semantic, dataSourceGeneration: 2 });
      // Act
      const result = checkChunkingLock('dev', next, lock);
      // Assess
      expect(result).toEqual({ status: 'new-generation', entry: lockEntryFor(next) });
    });

    it('rejects a generation below the recorded one', () => {
      const lock: ChunkingLock = { dev: lockEntryFor(kb({ dataSourceGeneration: 3 })) };
      const result = checkChunkingLock('dev', kb(), lock);
      expect(result.status === 'mismatch' && result.message).toMatch(
        /Generations only go up: set it to 3 .* or 4/,
      );
    });

    it('keeps stages apart', () => {
      const lock: ChunkingLock = { prod: lockEntryFor(kb({ chunking: semantic })) };
      expect(checkChunkingLock('dev', kb(), lock).status).toBe('first-use');
    });
  });

  describe('parsing and vector store', () => {
    const fm = { strategy: 'foundation-model', model: 'claude-haiku-4-5', prompt: 'Tables as Markdown.' };

    it('records the parsing (the prompt by its hash) and the store', () => {
      expect(lockEntryFor(kb({ parsing: fm, vectorStore: 's3-vectors' }))).toMatchObject({
        parsing: {
          strategy: 'foundation-model',
          model: 'claude-haiku-4-5',
          promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        vectorStore: 's3-vectors',
      });
    });

    it('fails a changed parsing at the same generation, with the previous parsing and both ways out', () => {
      const lock: ChunkingLock = { dev: lockEntryFor(kb()) };
      const result = checkChunkingLock('dev', kb({ parsing: fm }), lock);
      expect(result.status).toBe('mismatch');
      const message = result.status === 'mismatch' ? result.message : '';
      expect(message).toContain('parsing cannot change after the data source is created');
      expect(message).toContain('restore the previous parsing: {"strategy":"default"}');
      expect(message).toContain('bump knowledgeBase.dataSourceGeneration to 2');
    });

    it('fails a changed parsing prompt too, and accepts new parsing under a new generation', () => {
      const lock: ChunkingLock = { dev: lockEntryFor(kb({ parsing: fm })) };
      const reworded = kb({ parsing: { ...fm, prompt: 'Tables and scans as Markdown.' } });
      expect(checkChunkingLock('dev', reworded, lock).status).toBe('mismatch');
      const bumped = kb({ parsing: 'data-automation', dataSourceGeneration: 2 });
      expect(checkChunkingLock('dev', bumped, lock)).toEqual({
        status: 'new-generation',
        entry: lockEntryFor(bumped),
      });
    });

    it('reads entries written before parsing and stores were configurable as default parsing on OpenSearch', () => {
      const { parsing: _parsing, vectorStore: _store, ...legacy } = lockEntryFor(kb());
      expect(checkChunkingLock('dev', kb(), { dev: legacy })).toEqual({ status: 'ok' });
      expect(checkChunkingLock('dev', kb({ parsing: 'data-automation' }), { dev: legacy }).status).toBe(
        'mismatch',
      );
    });

    it('reports a store change (not a failure) with the warning, and lets chunking and parsing change with it', () => {
      // Prepare
      const lock: ChunkingLock = { dev: lockEntryFor(kb()) };
      const next = kb({ vectorStore: 's3-vectors', chunking: semantic, parsing: 'data-automation' });
      // Act
      const result = checkChunkingLock('dev', next, lock);
      // Assess
      expect(result.status).toBe('store-changed');
      if (result.status !== 'store-changed') return;
      expect(result.entry).toEqual(lockEntryFor(next));
      expect(result.message).toContain('changes from OpenSearch Serverless to S3 Vectors');
      expect(result.message).toContain('Run a full `kass sync` after the deploy');
      expect(checkChunkingLock('dev', next, { dev: result.entry })).toEqual({ status: 'ok' });
    });
  });

  describe('Function: chunkingHash', () => {
    it('ignores key order and changes with any value', () => {
      const a = chunkingHash({ strategy: 'FIXED_SIZE', maxTokens: 512, overlapPercentage: 20 });
      const reordered = chunkingHash({ overlapPercentage: 20, maxTokens: 512, strategy: 'FIXED_SIZE' });
      const changed = chunkingHash({ strategy: 'FIXED_SIZE', maxTokens: 512, overlapPercentage: 21 });
      expect(reordered).toBe(a);
      expect(changed).not.toBe(a);
      expect(a).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('Functions: readChunkingLock / writeChunkingLock', () => {
    it('round-trips a lock and sorts stages', () => {
      // Prepare
      const file = path.join(tmp, 'chunking.lock.json');
      const lock: ChunkingLock = { prod: lockEntryFor(kb()), dev: lockEntryFor(kb({ chunking: semantic })) };
      // Act
      writeChunkingLock(file, lock);
      // Assess
      expect(readChunkingLock(file)).toEqual(lock);
      expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual(['dev', 'prod']);
      expect(fs.readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    });

    it('reads a missing file as an empty lock', () => {
      expect(readChunkingLock(path.join(tmp, 'absent.json'))).toEqual({});
    });

    it.each([
      { name: 'not JSON', text: '{ dev: ', key: '(root)' },
      {
        name: 'hash not sha256',
        text: '{"dev":{"generation":1,"chunkingHash":"x","chunking":{"strategy":"NONE"}}}',
        key: 'dev.chunkingHash',
      },
      {
        name: 'bad chunking',
        text: `{"dev":{"generation":1,"chunkingHash":"${'a'.repeat(64)}","chunking":{"strategy":"X"}}}`,
        key: 'dev.chunking.strategy',
      },
    ])('throws a ConfigError naming the key for a malformed lock: $name', ({ text, key }) => {
      // Prepare
      const file = path.join(tmp, 'bad.json');
      fs.writeFileSync(file, text);
      // Act
      let error: unknown;
      try {
        readChunkingLock(file);
      } catch (e) {
        error = e;
      }
      // Assess
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
    });
  });

  describe('File: knowledge/chunking.lock.json', () => {
    it.each([
      ['dev', DEV_KNOWLEDGE_BASE],
      ['prod', PROD_KNOWLEDGE_BASE],
    ])('matches the shipped %s configuration', (stage, input) => {
      const config = KnowledgeBaseConfigSchema.parse(input);
      expect(checkChunkingLock(stage, config, readChunkingLock(REPO_LOCK))).toEqual({ status: 'ok' });
    });
  });
});
