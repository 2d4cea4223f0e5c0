import { InvalidInput } from '../kit/errors';

/**
 * The merge requests the code-review tool works on, as the domain sees them (the port): what it reads, what it
 * posts, and the source it reads them from. `gitlab-client.ts` is the GitLab adapter; tests use fakes.
 */

/** A merge request's metadata. Title and description are author-written: untrusted data. */
export interface MergeRequestInfo {
  readonly iid: number;
  readonly title: string;
  readonly description: string;
  readonly state: string;
  /** The merge request page, as GitLab reports it. */
  readonly webUrl?: string;
  /** Changed files according to GitLab (it reports "1000+" as 1000). */
  readonly changesCount?: number;
}

/** One changed file of a merge request. */
export interface ChangedFile {
  readonly oldPath: string;
  readonly newPath: string;
  /** Unified-diff hunks (`@@ -a,b +c,d @@` …); empty when GitLab did not send them. */
  readonly diff: string;
  readonly newFile: boolean;
  readonly renamedFile: boolean;
  readonly deletedFile: boolean;
  /** GitLab marked the file as generated (GitLab 16.9+; false when unknown). */
  readonly generated: boolean;
  /** GitLab left the content out because the diff is too large (or collapsed). */
  readonly tooLarge: boolean;
}

export interface ChangedFiles {
  readonly files: readonly ChangedFile[];
  /** False when pages were left unfetched (file limit, time budget or a failed later page). */
  readonly complete: boolean;
}

export interface PostedNote {
  readonly noteId: number;
  readonly webUrl?: string;
}

export interface ListChangedFilesOptions {
  /** Stop after this many files. @default 300 */
  readonly maxFiles?: number;
}

/**
 * The merge requests KASS reads and comments on (GitLab REST v4 in production, fakes in tests). Every method
 * checks the project against the allowlist before any request and throws tool errors with safe messages.
 */
export interface MergeRequestSource {
  getMergeRequest(projectId: string, iid: number): Promise<MergeRequestInfo>;
  listChangedFiles(projectId: string, iid: number, options?: ListChangedFilesOptions): Promise<ChangedFiles>;
  postNote(projectId: string, iid: number, body: string): Promise<PostedNote>;
}

/**
 * `iid` as GitLab accepts it, or InvalidInput. The schema already asks for an integer ≥ 1; this also catches
 * values that lose precision (`1e21`).
 */
export function checkIid(iid: number): number {
  if (!Number.isSafeInteger(iid) || iid < 1) {
    throw new InvalidInput([
      'mergeRequestIid: must be a whole number of 1 or more (the !number of the merge request)',
    ]);
  }
  return iid;
}
