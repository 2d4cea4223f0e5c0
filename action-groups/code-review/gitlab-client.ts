import * as z from 'zod/mini';
import {
  DependencyFailed,
  DependencyUnavailable,
  InvalidInput,
  isToolError,
  NotFound,
  Throttled,
  type ToolError,
} from '../kit/errors';
import { BodyTooLarge, parseBaseUrl, readCapped, retryAfterSeconds } from './gitlab-http';
import type {
  ChangedFile,
  ChangedFiles,
  ListChangedFilesOptions,
  MergeRequestInfo,
  MergeRequestSource,
  PostedNote,
} from './merge-requests';
import { checkIid } from './merge-requests';
import type { ProjectAllowlist, ProjectRef } from './project-ref';
import type { TokenSource } from './token-source';

export { retryAfterSeconds } from './gitlab-http';
export {
  type ChangedFile,
  type ChangedFiles,
  checkIid,
  type ListChangedFilesOptions,
  type MergeRequestInfo,
  type MergeRequestSource,
  type PostedNote,
} from './merge-requests';

/**
 * The API path of a project's merge request: `/api/v4/projects/<one encoded segment>/merge_requests/<iid>`.
 * The project is a single segment whatever it contains (`/`, `?`, `#` and `%` are encoded); `.` and `..`
 * are rejected because URL parsers resolve them (even as `%2e%2e`) and would leave the project scope.
 *
 * @param project a decoded id or path, as in {@link ProjectRef.value}
 * @param suffix '' | '/diffs' | '/notes'
 */
export function mergeRequestApiPath(project: string, iid: number, suffix: '' | '/diffs' | '/notes'): string {
  const invalid = () => new InvalidInput(['projectId: must be a numeric project id or a full project path']);
  if (project === '' || project === '.' || project === '..') throw invalid();
  let segment: string;
  try {
    segment = encodeURIComponent(project);
  } catch {
    throw invalid(); // a lone surrogate cannot be encoded
  }
  return `/api/v4/projects/${segment}/merge_requests/${checkIid(iid)}${suffix}`;
}

// GitLab answers, validated before use; unknown fields are ignored.
const MergeRequestSchema = z.object({
  iid: z.number().check(z.int()),
  title: z.string(),
  description: z.nullish(z.string()),
  state: z.string(),
  web_url: z.nullish(z.string()),
  changes_count: z.nullish(z.string()),
});
const DiffSchema = z.object({
  old_path: z.string(),
  new_path: z.string(),
  diff: z.nullish(z.string()),
  new_file: z.nullish(z.boolean()),
  renamed_file: z.nullish(z.boolean()),
  deleted_file: z.nullish(z.boolean()),
  generated_file: z.nullish(z.boolean()),
  too_large: z.nullish(z.boolean()),
  collapsed: z.nullish(z.boolean()),
});
const DiffPageSchema = z.array(DiffSchema);
const NoteSchema = z.object({ id: z.number().check(z.int()), web_url: z.nullish(z.string()) });

export interface GitLabClientOptions {
  /** `tools.codeReview.gitlabBaseUrl`: https only; may carry a path prefix (`https://host/gitlab`). */
  readonly baseUrl: string;
  readonly allowlist: ProjectAllowlist;
  readonly token: TokenSource;
  /** Timeout of one HTTP request, in ms; keep it well under the Lambda timeout. @default 8000 */
  readonly requestTimeoutMs?: number;
  /** Time for all requests of one method call (e.g. every diff page), in ms. @default 20000 */
  readonly operationBudgetMs?: number;
  /** Files per diff page (GitLab allows up to 100). @default 50 */
  readonly perPage?: number;
  /** Largest response body read, in bytes. @default 8 MiB */
  readonly maxResponseBytes?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Tests only: allow `http://` to a loopback host (a local test server). Never set from the environment;
   * production code has no way to turn it on.
   */
  readonly allowInsecureLoopbackForTests?: boolean;
}

/** What a request is for, to word messages and log lines (never the URL: it can carry user input). */
type Purpose = 'read' | 'post';

interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly ref: ProjectRef;
  readonly iid: number;
  readonly purpose: Purpose;
  readonly deadline: number;
}

interface Answer {
  readonly json: unknown;
  readonly headers: Headers;
}

/**
 * GitLab REST v4 behind {@link MergeRequestSource}, over `fetch`. Every request goes to the configured base
 * URL only (no redirects followed, so the token never reaches another host), sends the token in
 * `PRIVATE-TOKEN`, has a timeout, and maps failures to tool errors without GitLab's response text.
 */
export class GitLabMergeRequestSource implements MergeRequestSource {
  private readonly origin: string;
  private readonly prefix: string;
  private readonly allowlist: ProjectAllowlist;
  private readonly token: TokenSource;
  private readonly requestTimeoutMs: number;
  private readonly operationBudgetMs: number;
  private readonly perPage: number;
  private readonly maxResponseBytes: number;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(options: GitLabClientOptions) {
    ({ origin: this.origin, prefix: this.prefix } = parseBaseUrl(
      options.baseUrl,
      options.allowInsecureLoopbackForTests === true,
    ));
    this.allowlist = options.allowlist;
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
    this.operationBudgetMs = options.operationBudgetMs ?? 20_000;
    this.perPage = Math.min(100, Math.max(1, options.perPage ?? 50));
    this.maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  async getMergeRequest(projectId: string, iid: number): Promise<MergeRequestInfo> {
    const ref = this.allowlist.authorize(projectId);
    const { json } = await this.call({
      method: 'GET',
      path: mergeRequestApiPath(ref.value, iid, ''),
      ref,
      iid,
      purpose: 'read',
      deadline: this.now() + this.operationBudgetMs,
    });
    const mr = this.parse(MergeRequestSchema, json);
    const count = mr.changes_count ? Number.parseInt(mr.changes_count, 10) : Number.NaN;
    return {
      iid: mr.iid,
      title: mr.title,
      description: mr.description ?? '',
      state: mr.state,
      ...(mr.web_url ? { webUrl: mr.web_url } : {}),
      ...(Number.isFinite(count) ? { changesCount: count } : {}),
    };
  }

  /**
   * Uses `GET …/merge_requests/:iid/diffs` (GitLab 15.7+), not the deprecated `…/changes`: it is paginated,
   * so memory and response size stay bounded and fetching can stop at `maxFiles` or the time budget, where
   * `/changes` returns every file in one response. A later page that fails or runs out of time ends the
   * listing with `complete: false` instead of failing the review.
   */
  async listChangedFiles(
    projectId: string,
    iid: number,
    options: ListChangedFilesOptions = {},
  ): Promise<ChangedFiles> {
    const ref = this.allowlist.authorize(projectId);
    const path = mergeRequestApiPath(ref.value, iid, '/diffs');
    const maxFiles = options.maxFiles ?? 300;
    const deadline = this.now() + this.operationBudgetMs;
    const files: ChangedFile[] = [];
    let page = '1';
    for (;;) {
      let answer: Answer;
      try {
        answer = await this.call({
          method: 'GET',
          path,
          query: { page, per_page: String(this.perPage) },
          ref,
          iid,
          purpose: 'read',
          deadline,
        });
      } catch (error) {
        // Keep what the first pages gave when a later one is slow, throttled or down.
        if (files.length > 0 && isToolError(error) && error.status === 503) {
          return { files, complete: false };
        }
        throw error;
      }
      for (const d of this.parse(DiffPageSchema, answer.json)) {
        files.push({
          oldPath: d.old_path,
          newPath: d.new_path,
          diff: d.diff ?? '',
          newFile: d.new_file === true,
          renamedFile: d.renamed_file === true,
          deletedFile: d.deleted_file === true,
          generated: d.generated_file === true,
          tooLarge: (d.too_large === true || d.collapsed === true) && !d.diff,
        });
      }
      const next = answer.headers.get('x-next-page')?.trim() ?? '';
      if (next === '') return { files: files.slice(0, maxFiles), complete: files.length <= maxFiles };
      if (!/^\d+$/.test(next) || files.length >= maxFiles || this.now() >= deadline) {
        return { files: files.slice(0, maxFiles), complete: false };
      }
      page = next;
    }
  }

  async postNote(projectId: string, iid: number, body: string): Promise<PostedNote> {
    const ref = this.allowlist.authorize(projectId);
    const { json } = await this.call({
      method: 'POST',
      path: mergeRequestApiPath(ref.value, iid, '/notes'),
      body: { body },
      ref,
      iid,
      purpose: 'post',
      deadline: this.now() + this.operationBudgetMs,
    });
    const note = this.parse(NoteSchema, json);
    return { noteId: note.id, ...(note.web_url ? { webUrl: note.web_url } : {}) };
  }

  private parse<T>(schema: z.ZodMiniType<T>, json: unknown): T {
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new DependencyFailed('GitLab answered with an unexpected response. Try again later.', {
        cause: new Error(`unexpected GitLab response shape: ${result.error.issues.length} issue(s)`),
      });
    }
    return result.data;
  }

  private async call(call: Call): Promise<Answer> {
    const url = new URL(`${this.origin}${this.prefix}${call.path}`);
    // The path is built from checked, encoded parts; a normalised path would mean it left the project scope.
    if (url.origin !== this.origin || url.pathname !== `${this.prefix}${call.path}`) {
      throw new InvalidInput(['projectId: must be a numeric project id or a full project path']);
    }
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const remaining = call.deadline - this.now();
    if (remaining <= 0) throw this.timeout(call);
    const token = await this.token.getToken();
    const timeoutMs = Math.min(this.requestTimeoutMs, remaining);
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(url, {
        method: call.method,
        headers: {
          'PRIVATE-TOKEN': token,
          Accept: 'application/json',
          ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        redirect: 'manual',
        signal,
      });
      // Read (or discard) the body under the same timeout.
      text = await readCapped(response, this.maxResponseBytes);
    } catch (error) {
      throw this.transportError(call, error, timeoutMs);
    }
    if (response.status >= 200 && response.status < 300) {
      try {
        return { json: JSON.parse(text) as unknown, headers: response.headers };
      } catch {
        throw new DependencyFailed('GitLab answered with an unexpected response. Try again later.', {
          cause: new Error('GitLab response is not JSON'),
        });
      }
    }
    throw this.statusError(call, response);
  }

  private timeout(call: Call, timeoutMs = 0): DependencyUnavailable {
    const seconds = Math.max(1, Math.round(timeoutMs / 1000));
    return new DependencyUnavailable(
      `GitLab did not answer in time${timeoutMs > 0 ? ` (${seconds} s)` : ''}. Try again later.`,
      { cause: new Error(`GitLab ${call.method} ${call.purpose} timed out`) },
    );
  }

  /** Network failures and timeouts. The cause keeps names and codes only (no messages, no headers). */
  private transportError(call: Call, error: unknown, timeoutMs: number): ToolError {
    const name = String((error as { name?: unknown }).name ?? 'Error');
    if (name === 'TimeoutError' || name === 'AbortError') return this.timeout(call, timeoutMs);
    if (error instanceof BodyTooLarge) {
      return new DependencyFailed('GitLab sent a response too large to process.', {
        cause: new Error('GitLab response exceeded the size limit'),
      });
    }
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    return new DependencyUnavailable('GitLab could not be reached. Try again later.', {
      cause: new Error(`GitLab ${call.method} failed: ${name}${typeof code === 'string' ? ` ${code}` : ''}`),
    });
  }

  /** HTTP failures, worded for the model. GitLab's response text is never used. */
  private statusError(call: Call, response: Response): ToolError {
    const status = response.status;
    const cause = new Error(`GitLab ${call.method} ${call.purpose} answered HTTP ${status}`);
    if (status === 401 || status === 403) {
      const scope =
        call.purpose === 'post' && status === 403
          ? ' (it may lack the api scope needed to post, or the discussion is locked)'
          : '';
      return new DependencyFailed(
        `GitLab rejected the configured token${scope}; the operator must update the secret.`,
        { cause },
      );
    }
    if (status === 404) {
      return new NotFound(
        `Merge request !${call.iid} not found in project ${call.ref.value} (or the token cannot see it). Check both with the user.`,
        { cause },
      );
    }
    if (status === 429) {
      const after = retryAfterSeconds(response.headers.get('retry-after'), this.now());
      return new Throttled('GitLab is rate limiting KASS. Try again shortly.', {
        cause,
        ...(after === undefined ? {} : { retryAfterSeconds: after }),
      });
    }
    if (status >= 500) {
      return new DependencyUnavailable('GitLab is unavailable right now. Try again later.', { cause });
    }
    if (status >= 300 && status < 400) {
      return new DependencyFailed(
        'GitLab redirected the request; the operator must check tools.codeReview.gitlabBaseUrl.',
        { cause },
      );
    }
    return new DependencyFailed(`GitLab refused the request (HTTP ${status}).`, { cause });
  }
}
