import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { perSuite } from '../../../support/lifecycle';
import { addedLines } from './fakes';

/** A request as the local GitLab server received it (`url` is the raw request target, still encoded). */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Route = (req: ReceivedRequest, res: ServerResponse) => void;

export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/**
 * A GitLab stand-in on 127.0.0.1 (random port) for adapter and handler tests: records every request and
 * answers with the current route. No request leaves the machine.
 */
export class FakeGitLab {
  readonly requests: ReceivedRequest[] = [];
  private route: Route = (_req, res) => sendJson(res, 404, { message: '404 Not found' });

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeGitLab> {
    let fake: FakeGitLab | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        fake?.requests.push(received);
        fake?.route(received, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeGitLab(server);
    return fake;
  }

  /**
   * A fake for the calling `describe` block: listening from before its first test, reset before each test
   * (ahead of the block's own `beforeEach`), stopped after its last. The returned object stands for it.
   */
  static forSuite(): FakeGitLab {
    return perSuite(
      () => FakeGitLab.start(),
      (fake) => fake.stop(),
      (fake) => fake.reset(),
    );
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  respond(route: Route): void {
    this.route = route;
  }

  reset(): void {
    this.requests.length = 0;
    this.route = (_req, res) => sendJson(res, 404, { message: '404 Not found' });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** One changed file as GitLab's `/diffs` lists it. */
export interface GitLabDiff {
  readonly old_path: string;
  readonly new_path: string;
  readonly diff: string;
  readonly new_file?: boolean;
  readonly renamed_file?: boolean;
  readonly deleted_file?: boolean;
  readonly generated_file?: boolean;
  readonly too_large?: boolean;
}

export const gitlabDiff = (path: string, diff: string, extra: Partial<GitLabDiff> = {}): GitLabDiff => ({
  old_path: path,
  new_path: path,
  diff,
  new_file: false,
  renamed_file: false,
  deleted_file: false,
  ...extra,
});

/** A diff that adds `lines` lines to a new file, each `width` characters long (with a final newline). */
export const addedFileDiff = (lines: number, width = 40): string => `${addedLines(lines, width)}\n`;

export interface MergeRequestFixture {
  /** Raw, encoded project segment the routes answer for (e.g. `group%2Fsub%2Fproject`). */
  readonly project: string;
  readonly iid: number;
  readonly title?: string;
  readonly description?: string;
  readonly files: readonly GitLabDiff[];
  /** Files per `/diffs` page. @default the request's per_page */
  readonly pageSize?: number;
  readonly noteId?: number;
}

export const MR_WEB_URL = 'https://gitlab.example.com/group/sub/project/-/merge_requests/7';

/** Routes answering GET merge request, GET diffs (paginated with x-next-page) and POST notes like GitLab. */
export function mergeRequestRoutes(fixture: MergeRequestFixture): Route {
  const base = `/api/v4/projects/${fixture.project}/merge_requests/${fixture.iid}`;
  return (req, res) => {
    const url = new URL(req.url, 'http://local');
    const pageSize = fixture.pageSize ?? Number(url.searchParams.get('per_page') ?? '20');
    if (req.method === 'GET' && url.pathname === base) {
      sendJson(res, 200, {
        id: 9001,
        iid: fixture.iid,
        project_id: 42,
        title: fixture.title ?? 'Add rate limiting to the login endpoint',
        description: fixture.description ?? 'Limits login attempts per IP.',
        state: 'opened',
        web_url: MR_WEB_URL,
        changes_count: String(fixture.files.length),
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === `${base}/diffs`) {
      const page = Number(url.searchParams.get('page') ?? '1');
      const slice = fixture.files.slice((page - 1) * pageSize, page * pageSize);
      const hasNext = page * pageSize < fixture.files.length;
      sendJson(res, 200, slice, { 'x-next-page': hasNext ? String(page + 1) : '', 'x-page': String(page) });
      return;
    }
    if (req.method === 'POST' && url.pathname === `${base}/notes`) {
      const { body } = JSON.parse(req.body) as { body: string };
      sendJson(res, 201, { id: fixture.noteId ?? 555, body, noteable_iid: fixture.iid, system: false });
      return;
    }
    sendJson(res, 404, { message: '404 Not found' });
  };
}
