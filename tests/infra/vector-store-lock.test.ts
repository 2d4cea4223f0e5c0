import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../infra/app';
import { ConfigError } from '../../infra/config/config-error';
import {
  DEV_KNOWLEDGE_BASE,
  type KnowledgeBaseConfig,
  KnowledgeBaseConfigSchema,
  PROD_KNOWLEDGE_BASE,
} from '../../infra/config/knowledge-config';
import {
  checkVectorStoreLock,
  readVectorStoreLock,
  type VectorStoreLock,
  vectorStoreLockEntryFor,
  writeVectorStoreLock,
} from '../../infra/config/vector-store-lock';

const REPO_LOCK = path.resolve(__dirname, '../../knowledge/vector-store.lock.json');

const kb = (overrides: Record<string, unknown> = {}): KnowledgeBaseConfig =>
  KnowledgeBaseConfigSchema.parse({ ...DEV_KNOWLEDGE_BASE, ...overrides });

const mismatch = (result: ReturnType<typeof checkVectorStoreLock>): string =>
  result.status === 'mismatch' ? result.message : `not a mismatch: ${result.status}`;

describe('Module: vector-store-lock', () => {
  const lock: VectorStoreLock = { dev: vectorStoreLockEntryFor(kb()) };

  describe('Function: checkVectorStoreLock', () => {
    it('reports first use for a stage the lock does not know, with the entry to record', () => {
      expect(checkVectorStoreLock('qa', kb(), {})).toEqual({
        status: 'first-use',
        entry: vectorStoreLockEntryFor(kb()),
      });
    });

    it('is ok for the same settings, and for settings that update in place (efSearch, network)', () => {
      expect(checkVectorStoreLock('dev', kb(), lock)).toEqual({ status: 'ok' });
      const inPlace = kb({ vectorIndex: { efSearch: 128 }, network: { allowFromPublic: false } });
      expect(checkVectorStoreLock('dev', inPlace, lock)).toEqual({ status: 'ok' });
    });

    it.each([
      [
        'the embedding dimensions',
        { embedding: { dimensions: 512 } },
        'knowledgeBase.embedding.dimensions: 1024 → 512',
      ],
      ['the HNSW m', { vectorIndex: { m: 32 } }, 'knowledgeBase.vectorIndex.m: 16 → 32'],
      [
        'the HNSW efConstruction',
        { vectorIndex: { efConstruction: 256 } },
        'knowledgeBase.vectorIndex.efConstruction: 512 → 256',
      ],
      ['the standby replicas', { standbyReplicas: true }, 'knowledgeBase.standbyReplicas: false → true'],
    ])(
      'fails a changed setting fixed at creation (%s), naming the key and the way out',
      (_name, change, key) => {
        // Act
        const message = mismatch(checkVectorStoreLock('dev', kb(change), lock));
        // Assess
        expect(message).toContain(key);
        expect(message).toContain("(stage 'dev')");
        expect(message).toContain('set knowledgeBase.vectorStoreGeneration to 2');
        expect(message).toContain('full `kass sync`');
      },
    );

    it('names every changed key at once', () => {
      const message = mismatch(
        checkVectorStoreLock('dev', kb({ embedding: { dimensions: 256 }, standbyReplicas: true }), lock),
      );
      expect(message).toMatch(
        /embedding\.dimensions: 1024 → 256; knowledgeBase\.standbyReplicas: false → true/,
      );
      expect(message).toContain('restore the previous values');
    });

    it('accepts any settings with a new generation, and records that entry', () => {
      // Act
      const result = checkVectorStoreLock(
        'dev',
        kb({ vectorStoreGeneration: 2, standbyReplicas: true }),
        lock,
      );
      // Assess
      expect(result).toEqual({
        status: 'new-generation',
        entry: expect.objectContaining({
          generation: 2,
          settings: expect.objectContaining({ standbyReplicas: true }),
        }),
      });
    });

    it('refuses a generation that goes down', () => {
      const at2: VectorStoreLock = { dev: vectorStoreLockEntryFor(kb({ vectorStoreGeneration: 2 })) };
      expect(mismatch(checkVectorStoreLock('dev', kb(), at2))).toContain('Generations only go up');
    });
  });

  describe('Function: readVectorStoreLock', () => {
    it('reads what writeVectorStoreLock wrote, stages in name order', () => {
      // Prepare
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kass-vs-lock-')), 'lock.json');
      const entry = vectorStoreLockEntryFor(kb());
      // Act
      writeVectorStoreLock(file, { prod: entry, dev: entry });
      // Assess
      expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual(['dev', 'prod']);
      expect(readVectorStoreLock(file)).toEqual({ dev: entry, prod: entry });
    });

    it('throws a ConfigError naming the key of a malformed entry', () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kass-vs-lock-')), 'lock.json');
      fs.writeFileSync(file, '{"dev":{"generation":0,"settingsHash":"x","settings":{}}}');
      expect(() => readVectorStoreLock(file)).toThrow(ConfigError);
      expect(() => readVectorStoreLock(file)).toThrow(/dev\.generation/);
    });
  });

  describe('File: knowledge/vector-store.lock.json', () => {
    it.each([
      ['dev', DEV_KNOWLEDGE_BASE],
      ['prod', PROD_KNOWLEDGE_BASE],
    ])('matches the shipped %s configuration', (stage, input) => {
      const config = KnowledgeBaseConfigSchema.parse(input);
      expect(checkVectorStoreLock(stage, config, readVectorStoreLock(REPO_LOCK))).toEqual({ status: 'ok' });
    });

    it('makes synth fail with the way out when dev changes its dimensions without a new generation', () => {
      expect(() =>
        buildApp({
          stage: 'dev',
          nag: false,
          context: {
            'aws:cdk:bundling-stacks': [],
            'kass:config': { knowledgeBase: { embedding: { dimensions: 512 } } },
          },
        }),
      ).toThrow(/knowledgeBase\.embedding\.dimensions: 1024 → 512[\s\S]*vectorStoreGeneration to 2/);
    });
  });
});
