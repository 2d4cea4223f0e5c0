import { InvalidInput } from '../kit/errors';
import { checkIid, type MergeRequestSource } from './merge-requests';

/** GitLab accepts far more; the schema promises the model this limit. */
export const MAX_COMMENT_CHARS = 10_000;

export interface PostCommentRequest {
  readonly projectId: string;
  readonly mergeRequestIid: number;
  /** GitLab Markdown, confirmed by the user (the operation has x-requireConfirmation). */
  readonly body: string;
}

export interface PostCommentResult {
  readonly noteId: number;
  readonly webUrl?: string;
}

const isWebUrl = (url: string | undefined): url is string =>
  url !== undefined && /^https?:\/\/[^\s]+$/.test(url);

/**
 * Posts `body` as a note on the merge request and links to it. The merge request is read first: it proves
 * the merge request exists (a clear 404 before any write) and gives its page URL, since GitLab's note
 * answer carries no link; the link is then `<merge request URL>#note_<id>`.
 */
export async function postReviewComment(
  source: MergeRequestSource,
  request: PostCommentRequest,
): Promise<PostCommentResult> {
  const iid = checkIid(request.mergeRequestIid);
  if (request.body.trim() === '') throw new InvalidInput(['body: must contain text, not only whitespace']);
  if (request.body.length > MAX_COMMENT_CHARS) {
    throw new InvalidInput([`body: must be at most ${MAX_COMMENT_CHARS} characters`]);
  }
  const mr = await source.getMergeRequest(request.projectId, iid);
  const note = await source.postNote(request.projectId, iid, request.body);
  const webUrl = isWebUrl(note.webUrl)
    ? note.webUrl
    : isWebUrl(mr.webUrl)
      ? `${mr.webUrl}#note_${note.noteId}`
      : undefined;
  return { noteId: note.noteId, ...(webUrl ? { webUrl } : {}) };
}
