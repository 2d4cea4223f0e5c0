import fc from 'fast-check';
import {
  GitLabMergeRequestSource,
  mergeRequestApiPath,
} from '../../../action-groups/code-review/gitlab-client';
import { ProjectAllowlist } from '../../../action-groups/code-review/project-ref';
import { isToolError } from '../../../action-groups/kit/errors';

const PREFIX = '/api/v4/projects/';
const SUFFIX = '/merge_requests/3';

/** Project-ish strings rich in the characters that could escape the project segment. */
const dangerousPath = fc
  .array(
    fc.oneof(fc.constantFrom('/', '?', '#', '..', '.', '%', '%2F', '%2e', '\\', ' ', '&', '='), fc.string()),
    {
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));
/** Valid GitLab paths (some %2F-encoded, some numeric), so requests really go out. */
const validProject = fc.oneof(
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}[A-Za-z0-9_-]$/), {
      minLength: 2,
      maxLength: 4,
    })
    .chain((segments) => fc.constantFrom(segments.join('/'), segments.join('%2F'))),
  fc.integer({ min: 1, max: 2 ** 31 }).map(String),
);
const anyProject = fc.oneof(
  dangerousPath,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string(),
  validProject,
);

/** The project segment of a built path, or fails when the path does not have the expected shape. */
function segmentOf(path: string): string {
  expect(path.startsWith(PREFIX)).toBe(true);
  expect(path.endsWith(SUFFIX)).toBe(true);
  return path.slice(PREFIX.length, path.length - SUFFIX.length);
}

function assertSafe(path: string, input: string): void {
  const segment = segmentOf(path);
  expect(segment).not.toMatch(/[/?#]/);
  expect(['.', '..']).not.toContain(decodeURIComponent(segment));
  expect(decodeURIComponent(segment)).toBe(input);
  // The URL parser keeps the path as built: nothing was resolved or moved into the query or fragment.
  const url = new URL(path, 'https://gitlab.example.com');
  expect(url.pathname).toBe(path);
  expect(url.search).toBe('');
  expect(url.hash).toBe('');
}

describe('Property: GitLab request paths', () => {
  it('encode any project string as exactly one path segment, or reject it', () => {
    fc.assert(
      fc.property(anyProject, (project) => {
        let path: string;
        try {
          path = mergeRequestApiPath(project, 3, '');
        } catch (error) {
          expect(isToolError(error) && error.status === 400).toBe(true);
          return;
        }
        assertSafe(path, project);
      }),
      { numRuns: 500 },
    );
  });

  it('never let a request leave the project scope, from the tool input to fetch', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(anyProject, async (projectId) => {
        // Prepare: allow the project itself when it is a valid entry, so the request really goes out.
        let allowlist: ProjectAllowlist;
        try {
          allowlist = ProjectAllowlist.of([projectId]);
        } catch {
          allowlist = ProjectAllowlist.of(['some-group/some-project']);
        }
        const urls: URL[] = [];
        const source = new GitLabMergeRequestSource({
          baseUrl: 'https://gitlab.example.com',
          allowlist,
          token: { getToken: async () => 'glpat-TESTtoken1234567890' },
          fetch: async (input) => {
            urls.push(new URL(String(input)));
            return new Response(JSON.stringify({ iid: 3, title: 't', state: 'opened' }), { status: 200 });
          },
        });

        // Act
        const outcome = await source.getMergeRequest(projectId, 3).then(
          () => 'sent',
          (error: unknown) => error,
        );

        // Assess
        if (outcome !== 'sent') {
          expect(isToolError(outcome) && [400, 403].includes(outcome.status)).toBe(true);
          expect(urls).toHaveLength(0);
          return;
        }
        sent += 1;
        expect(urls).toHaveLength(1);
        const url = urls[0] as URL;
        expect(url.origin).toBe('https://gitlab.example.com');
        const segment = segmentOf(url.pathname);
        expect(segment).not.toMatch(/[/?#]/);
        expect(['.', '..']).not.toContain(decodeURIComponent(segment).toLowerCase());
      }),
      { numRuns: 300 },
    );
    expect(sent).toBeGreaterThan(20);
  });
});
