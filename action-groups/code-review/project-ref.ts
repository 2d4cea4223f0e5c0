import { InvalidInput } from '../kit/errors';
import { ProjectNotAllowed } from './errors';

/**
 * A GitLab project as the API accepts it in `/projects/:id`: a numeric id or a full path (group/sub/project).
 * `value` is decoded; the GitLab client encodes it as one path segment.
 */
export interface ProjectRef {
  readonly kind: 'id' | 'path';
  readonly value: string;
}

/** Config key an operator edits to allow projects (named in messages to the model). */
export const ALLOWLIST_CONFIG_KEY = 'tools.codeReview.projectAllowlist';

const MAX_REF_CHARS = 255;
const MAX_SEGMENTS = 20;
/** GitLab path segments: letters, digits, `_`, `-`, `.`; no leading `-`/`.`, no trailing `.`. */
const SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
const NUMERIC = /^\d+$/;
const HINT =
  'must be a numeric project id (e.g. 42) or a full project path such as my-group/my-project (or my-group%2Fmy-project)';

/** A short, quoted, single-line echo of what the caller sent. */
const echo = (raw: string): string => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);

function invalid(raw: string): InvalidInput {
  return new InvalidInput([`projectId: ${HINT}, got ${echo(raw)}`]);
}

/**
 * Parses a project reference as the agent sends it. The schema asks for `/` written as `%2F`, but models
 * often send the plain path, so both are accepted: the value is URL-decoded once (GitLab paths never contain
 * `%`), then checked against GitLab's path rules. Anything else (`..`, `?`, `#`, spaces, URLs) is rejected.
 *
 * @throws InvalidInput naming `projectId`
 */
export function parseProjectRef(raw: string): ProjectRef {
  let text = raw.trim();
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw invalid(raw);
    }
  }
  text = text.replace(/^\/+|\/+$/g, '');
  if (text === '' || text.length > MAX_REF_CHARS) throw invalid(raw);
  if (NUMERIC.test(text)) {
    const id = Number(text);
    if (!Number.isSafeInteger(id) || id < 1) throw invalid(raw);
    return { kind: 'id', value: String(id) };
  }
  const segments = text.split('/');
  if (segments.length < 2 || segments.length > MAX_SEGMENTS || !segments.every((s) => SEGMENT.test(s))) {
    throw invalid(raw);
  }
  return { kind: 'path', value: text };
}

/** How refs are compared: ids exactly, paths case-insensitively (GitLab resolves paths that way). */
const keyOf = (ref: ProjectRef): string =>
  ref.kind === 'id' ? `id:${ref.value}` : `path:${ref.value.toLowerCase()}`;

/** How many allowed projects a "not allowed" message names. */
const LISTED_ENTRIES = 10;

/**
 * The projects the tool may touch, from `tools.codeReview.projectAllowlist`. A request matches an entry of
 * the same form: a numeric id matches a numeric entry, a path matches a path entry (case-insensitive). A
 * numeric id never matches a path entry, because resolving it would take a GitLab call before the check.
 */
export class ProjectAllowlist {
  private readonly keys: ReadonlySet<string>;

  private constructor(private readonly entries: readonly ProjectRef[]) {
    this.keys = new Set(entries.map(keyOf));
  }

  /**
   * @param entries numeric ids or full paths, as configured
   * @throws Error naming the invalid entry (a configuration mistake: fail the cold start)
   */
  static of(entries: readonly string[]): ProjectAllowlist {
    const refs = entries.map((entry, index) => {
      try {
        return parseProjectRef(entry);
      } catch {
        throw new Error(
          `${ALLOWLIST_CONFIG_KEY}[${index}] is not a GitLab project id or full path (group/project): ${echo(entry)}`,
        );
      }
    });
    return new ProjectAllowlist(refs);
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Parses `raw` and checks it against the list. Call it before any GitLab request.
   *
   * @throws InvalidInput for a malformed reference, ProjectNotAllowed for a project not on the list
   */
  authorize(raw: string): ProjectRef {
    const ref = parseProjectRef(raw);
    if (this.entries.length === 0) {
      throw new ProjectNotAllowed(
        `No GitLab project is allowed for code review in this deployment. Tell the user that an operator must add the project to ${ALLOWLIST_CONFIG_KEY} in the stage configuration and deploy again.`,
      );
    }
    if (!this.keys.has(keyOf(ref))) {
      const listed = this.entries.slice(0, LISTED_ENTRIES).map((e) => e.value);
      const more =
        this.entries.length > LISTED_ENTRIES ? ` and ${this.entries.length - LISTED_ENTRIES} more` : '';
      throw new ProjectNotAllowed(
        `Project ${ref.value} is not on the list of projects KASS may access (allowed: ${listed.join(', ')}${more}). Ask the user to pick an allowed project; an operator can add projects to ${ALLOWLIST_CONFIG_KEY}.`,
      );
    }
    return ref;
  }
}
