import { ProjectNotAllowed } from '../../../action-groups/code-review/errors';
import {
  type GitLabClientOptions,
  GitLabMergeRequestSource,
  retryAfterSeconds,
} from '../../../action-groups/code-review/gitlab-client';
import { ProjectAllowlist } from '../../../action-groups/code-review/project-ref';
import type { TokenSource } from '../../../action-groups/code-review/token-source';
import { InvalidInput } from '../../../action-groups/kit/errors';
import { toolErrorOf } from '../../support/tool-errors';
import { FakeGitLab, gitlabDiff, MR_WEB_URL, mergeRequestRoutes, sendJson } from './support/fake-gitlab';

const TOKEN = 'glpat-TESTtoken1234567890';
const PROJECT = 'group/sub/project';
const ENCODED = 'group%2Fsub%2Fproject';
const GITLAB_BODY_SECRET = 'internal-gitlab-detail-do-not-show';

class CountingToken implements TokenSource {
  calls = 0;
  async getToken(): Promise<string> {
    this.calls += 1;
    return TOKEN;
  }
}

describe('Class: GitLabMergeRequestSource', () => {
  const gitlab = FakeGitLab.forSuite();
  let token: CountingToken;

  beforeEach(() => {
    token = new CountingToken();
  });

  const source = (overrides: Partial<GitLabClientOptions> = {}) =>
    new GitLabMergeRequestSource({
      baseUrl: gitlab.baseUrl,
      allowlist: ProjectAllowlist.of([PROJECT, '42']),
      token,
      allowInsecureLoopbackForTests: true,
      ...overrides,
    });

  describe('Method: getMergeRequest', () => {
    it('encodes the project path as one segment and sends the token in PRIVATE-TOKEN', async () => {
      // Prepare
      gitlab.respond(mergeRequestRoutes({ project: ENCODED, iid: 7, files: [] }));

      // Act
      const mr = await source().getMergeRequest(PROJECT, 7);

      // Assess
      expect(mr).toEqual({
        iid: 7,
        title: 'Add rate limiting to the login endpoint',
        description: 'Limits login attempts per IP.',
        state: 'opened',
        webUrl: MR_WEB_URL,
        changesCount: 0,
      });
      expect(gitlab.requests).toHaveLength(1);
      expect(gitlab.requests[0]).toMatchObject({
        method: 'GET',
        url: `/api/v4/projects/${ENCODED}/merge_requests/7`,
      });
      expect(gitlab.requests[0]?.headers['private-token']).toBe(TOKEN);
    });

    it('accepts the %2F-encoded form the schema asks for without encoding it twice', async () => {
      // Prepare
      gitlab.respond(mergeRequestRoutes({ project: ENCODED, iid: 7, files: [] }));

      // Act
      await source().getMergeRequest(ENCODED, 7);

      // Assess
      expect(gitlab.requests[0]?.url).toBe(`/api/v4/projects/${ENCODED}/merge_requests/7`);
    });

    it('matches an allowlisted path case-insensitively and a numeric id exactly', async () => {
      // Prepare
      gitlab.respond((_req, res) => sendJson(res, 200, { iid: 7, title: 't', state: 'opened' }));

      // Act
      await source().getMergeRequest('Group/Sub/Project', 7);
      await source().getMergeRequest('42', 7);

      // Assess
      expect(gitlab.requests.map((r) => r.url)).toEqual([
        '/api/v4/projects/Group%2FSub%2FProject/merge_requests/7',
        '/api/v4/projects/42/merge_requests/7',
      ]);
    });

    it.each([
      { name: 'a project not on the list', projectId: 'other/project', type: ProjectNotAllowed, status: 403 },
      {
        name: 'a numeric id when only its path is allowed',
        projectId: '43',
        type: ProjectNotAllowed,
        status: 403,
      },
      { name: 'a path with ..', projectId: 'group/../admin', type: InvalidInput, status: 400 },
      {
        name: 'a query in the path',
        projectId: 'group/project?private_token=x',
        type: InvalidInput,
        status: 400,
      },
      { name: 'a URL', projectId: 'https://evil.example.com/group/project', type: InvalidInput, status: 400 },
    ])('rejects $name before any request', async ({ projectId, type, status }) => {
      // Act
      const error = await toolErrorOf(source().getMergeRequest(projectId, 7));

      // Assess
      expect(error).toBeInstanceOf(type);
      expect(error.status).toBe(status);
      expect(gitlab.requests).toHaveLength(0);
      expect(token.calls).toBe(0);
    });

    it('refuses every project when the allowlist is empty, naming the config key', async () => {
      // Act
      const error = await toolErrorOf(
        source({ allowlist: ProjectAllowlist.of([]) }).getMergeRequest(PROJECT, 7),
      );

      // Assess
      expect(error.status).toBe(403);
      expect(error.message).toContain('tools.codeReview.projectAllowlist');
      expect(gitlab.requests).toHaveLength(0);
    });

    it.each([0, -1, 1.5, 2 ** 60])('rejects the iid %p before any request', async (iid) => {
      // Act
      const error = await toolErrorOf(source().getMergeRequest(PROJECT, iid));

      // Assess
      expect(error.status).toBe(400);
      expect(gitlab.requests).toHaveLength(0);
    });

    it.each([
      {
        status: 401,
        expected: 502,
        message: /rejected the configured token; the operator must update the secret/,
      },
      { status: 403, expected: 502, message: /rejected the configured token/ },
      { status: 404, expected: 404, message: /Merge request !7 not found in project group\/sub\/project/ },
      { status: 500, expected: 503, message: /GitLab is unavailable/ },
      { status: 502, expected: 503, message: /GitLab is unavailable/ },
      { status: 422, expected: 502, message: /GitLab refused the request \(HTTP 422\)/ },
    ])('maps HTTP $status to $expected without GitLab’s body', async ({ status, expected, message }) => {
      // Prepare
      gitlab.respond((_req, res) => sendJson(res, status, { message: GITLAB_BODY_SECRET }));

      // Act
      const error = await toolErrorOf(source().getMergeRequest(PROJECT, 7));

      // Assess
      expect(error.status).toBe(expected);
      expect(error.message).toMatch(message);
      expect(JSON.stringify(error.toBody())).not.toContain(GITLAB_BODY_SECRET);
      expect(String((error.cause as Error).message)).not.toContain(GITLAB_BODY_SECRET);
    });

    it('maps 429 to Throttled with retryAfterSeconds from Retry-After', async () => {
      // Prepare
      gitlab.respond((_req, res) => sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '7' }));

      // Act
      const error = await toolErrorOf(source().getMergeRequest(PROJECT, 7));

      // Assess
      expect(error.status).toBe(503);
      expect(error.toBody()).toEqual({
        error: 'GitLab is rate limiting KASS. Try again shortly.',
        retryAfterSeconds: 7,
      });
    });

    it('answers 503 when GitLab never answers within the request timeout', async () => {
      // Prepare
      gitlab.respond(() => undefined); // never responds

      // Act
      const started = Date.now();
      const error = await toolErrorOf(source({ requestTimeoutMs: 150 }).getMergeRequest(PROJECT, 7));

      // Assess
      expect(error.status).toBe(503);
      expect(error.message).toMatch(/did not answer in time/);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('answers 503 when GitLab cannot be reached', async () => {
      // Prepare
      const closed = await FakeGitLab.start();
      const baseUrl = closed.baseUrl;
      await closed.stop();

      // Act
      const error = await toolErrorOf(source({ baseUrl }).getMergeRequest(PROJECT, 7));

      // Assess
      expect(error.status).toBe(503);
      expect(error.message).toBe('GitLab could not be reached. Try again later.');
    });

    it('does not follow a redirect, so the token never reaches another host', async () => {
      // Prepare
      const elsewhere = await FakeGitLab.start();
      gitlab.respond((_req, res) => {
        res.writeHead(302, { location: `${elsewhere.baseUrl}/steal` });
        res.end();
      });

      // Act
      const error = await toolErrorOf(source().getMergeRequest(PROJECT, 7));
      await elsewhere.stop();

      // Assess
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/redirected/);
      expect(elsewhere.requests).toHaveLength(0);
    });

    it.each([
      {
        name: 'not JSON',
        send: (res: Parameters<Parameters<FakeGitLab['respond']>[0]>[1]) => res.end('<html>'),
      },
      {
        name: 'an unexpected shape',
        send: (res: Parameters<Parameters<FakeGitLab['respond']>[0]>[1]) =>
          sendJson(res, 200, { nope: true }),
      },
    ])('answers 502 for a response that is $name', async ({ send }) => {
      // Prepare
      gitlab.respond((_req, res) => send(res));

      // Act
      const error = await toolErrorOf(source().getMergeRequest(PROJECT, 7));

      // Assess
      expect(error.status).toBe(502);
      expect(error.message).toBe('GitLab answered with an unexpected response. Try again later.');
    });

    it('stops reading a response larger than the limit', async () => {
      // Prepare
      gitlab.respond((_req, res) =>
        sendJson(res, 200, { iid: 7, title: 'x'.repeat(10_000), state: 'opened' }),
      );

      // Act
      const error = await toolErrorOf(source({ maxResponseBytes: 1_000 }).getMergeRequest(PROJECT, 7));

      // Assess
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/too large/);
    });

    it('keeps a path prefix of the base URL', async () => {
      // Prepare
      gitlab.respond((_req, res) => sendJson(res, 200, { iid: 7, title: 't', state: 'opened' }));

      // Act
      await source({ baseUrl: `${gitlab.baseUrl}/gitlab/` }).getMergeRequest('42', 7);

      // Assess
      expect(gitlab.requests[0]?.url).toBe('/gitlab/api/v4/projects/42/merge_requests/7');
    });
  });

  describe('Method: listChangedFiles', () => {
    const files = [
      gitlabDiff('src/a.ts', '@@ -1 +1 @@\n-a\n+b\n'),
      gitlabDiff('src/b.ts', '@@ -1 +1 @@\n-a\n+b\n', { new_file: true }),
      gitlabDiff('logo.png', '', { too_large: true }),
      gitlabDiff('old.ts', '@@ -1 +0,0 @@\n-a\n', { deleted_file: true }),
      gitlabDiff('gen.ts', '@@ -1 +1 @@\n-a\n+b\n', { generated_file: true }),
    ];

    it('follows x-next-page through every page', async () => {
      // Prepare
      gitlab.respond(mergeRequestRoutes({ project: ENCODED, iid: 7, files, pageSize: 2 }));

      // Act
      const listed = await source({ perPage: 2 }).listChangedFiles(PROJECT, 7);

      // Assess
      expect(listed.complete).toBe(true);
      expect(listed.files.map((f) => f.newPath)).toEqual([
        'src/a.ts',
        'src/b.ts',
        'logo.png',
        'old.ts',
        'gen.ts',
      ]);
      expect(listed.files[1]).toMatchObject({ newFile: true, deletedFile: false });
      expect(listed.files[2]).toMatchObject({ tooLarge: true, diff: '' });
      expect(listed.files[3]).toMatchObject({ deletedFile: true });
      expect(listed.files[4]).toMatchObject({ generated: true });
      expect(gitlab.requests.map((r) => r.url)).toEqual([
        `/api/v4/projects/${ENCODED}/merge_requests/7/diffs?page=1&per_page=2`,
        `/api/v4/projects/${ENCODED}/merge_requests/7/diffs?page=2&per_page=2`,
        `/api/v4/projects/${ENCODED}/merge_requests/7/diffs?page=3&per_page=2`,
      ]);
    });

    it('stops at maxFiles and reports the listing as incomplete', async () => {
      // Prepare
      gitlab.respond(mergeRequestRoutes({ project: ENCODED, iid: 7, files, pageSize: 2 }));

      // Act
      const listed = await source({ perPage: 2 }).listChangedFiles(PROJECT, 7, { maxFiles: 3 });

      // Assess
      expect(listed.complete).toBe(false);
      expect(listed.files).toHaveLength(3);
      expect(gitlab.requests).toHaveLength(2);
    });

    it('keeps the first pages when a later page fails', async () => {
      // Prepare
      const routes = mergeRequestRoutes({ project: ENCODED, iid: 7, files, pageSize: 2 });
      gitlab.respond((req, res) =>
        new URL(req.url, 'http://local').searchParams.get('page') === '2'
          ? sendJson(res, 503, { message: 'down' })
          : routes(req, res),
      );

      // Act
      const listed = await source({ perPage: 2 }).listChangedFiles(PROJECT, 7);

      // Assess
      expect(listed).toMatchObject({
        complete: false,
        files: [{ newPath: 'src/a.ts' }, { newPath: 'src/b.ts' }],
      });
    });

    it('fails when the first page fails', async () => {
      // Prepare
      gitlab.respond((_req, res) => sendJson(res, 503, { message: 'down' }));

      // Act
      const error = await toolErrorOf(source().listChangedFiles(PROJECT, 7));

      // Assess
      expect(error.status).toBe(503);
    });
  });

  describe('Method: postNote', () => {
    it('posts the body as JSON with the token and returns the note id', async () => {
      // Prepare
      gitlab.respond(mergeRequestRoutes({ project: ENCODED, iid: 7, files: [], noteId: 8080 }));

      // Act
      const note = await source().postNote(PROJECT, 7, '**LGTM** with one nit.');

      // Assess
      expect(note).toEqual({ noteId: 8080 });
      expect(gitlab.requests[0]).toMatchObject({
        method: 'POST',
        url: `/api/v4/projects/${ENCODED}/merge_requests/7/notes`,
        body: JSON.stringify({ body: '**LGTM** with one nit.' }),
      });
      expect(gitlab.requests[0]?.headers).toMatchObject({
        'private-token': TOKEN,
        'content-type': 'application/json',
      });
    });

    it('explains a 403 on a post as a token scope or locked discussion problem', async () => {
      // Prepare
      gitlab.respond((_req, res) => sendJson(res, 403, { message: '403 Forbidden' }));

      // Act
      const error = await toolErrorOf(source().postNote(PROJECT, 7, 'hi'));

      // Assess
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/api scope/);
    });
  });

  describe('constructor', () => {
    it.each([
      { name: 'plain http', baseUrl: 'http://gitlab.example.com', insecure: false, message: /https/ },
      {
        name: 'http to a non-loopback host, even in test mode',
        baseUrl: 'http://gitlab.example.com',
        insecure: true,
        message: /https/,
      },
      {
        name: 'credentials in the URL',
        baseUrl: 'https://user:pw@gitlab.example.com',
        insecure: false,
        message: /credentials/,
      },
      { name: 'a query', baseUrl: 'https://gitlab.example.com/?x=1', insecure: false, message: /query/ },
      { name: 'not a URL', baseUrl: 'gitlab.example.com', insecure: false, message: /not a valid URL/ },
    ])('rejects $name', ({ baseUrl, insecure, message }) => {
      // Act & Assess
      expect(
        () =>
          new GitLabMergeRequestSource({
            baseUrl,
            allowlist: ProjectAllowlist.of([PROJECT]),
            token,
            allowInsecureLoopbackForTests: insecure,
          }),
      ).toThrow(message);
    });
  });
});

describe('Function: retryAfterSeconds', () => {
  it.each([
    { header: '7', expected: 7 },
    { header: '0', expected: 1 },
    { header: '99999', expected: 3600 },
    { header: 'Thu, 01 Jan 2026 00:00:30 GMT', expected: 30 },
    { header: 'soon', expected: undefined },
    { header: null, expected: undefined },
  ])('reads $header as $expected', ({ header, expected }) => {
    // Act & Assess
    expect(retryAfterSeconds(header, Date.parse('2026-01-01T00:00:00Z'))).toBe(expected);
  });
});
