import type {
  ChangedFile,
  ChangedFiles,
  MergeRequestInfo,
  MergeRequestSource,
  PostedNote,
} from '../../../../action-groups/code-review/gitlab-client';
import type {
  TextCompletion,
  TextCompletionRequest,
  TextModel,
} from '../../../../action-groups/shared/text-model';

export const changedFile = (path: string, diff: string, extra: Partial<ChangedFile> = {}): ChangedFile => ({
  oldPath: path,
  newPath: path,
  diff,
  newFile: false,
  renamedFile: false,
  deletedFile: false,
  generated: false,
  tooLarge: false,
  ...extra,
});

/** A diff adding `lines` lines of `width` characters to a new file. */
export const addedLines = (lines: number, width = 40): string =>
  [
    `@@ -0,0 +1,${lines} @@`,
    ...Array.from({ length: lines }, (_, i) => `+${`line ${i + 1} `.padEnd(width, 'x')}`),
  ].join('\n');

/** An in-memory merge request source. */
export class FakeSource implements MergeRequestSource {
  readonly posted: { projectId: string; iid: number; body: string }[] = [];

  constructor(
    private readonly files: ChangedFile[],
    private readonly mr: Partial<MergeRequestInfo> = {},
    private readonly complete = true,
  ) {}

  async getMergeRequest(_projectId: string, iid: number): Promise<MergeRequestInfo> {
    return {
      iid,
      title: 'Add retry to the payment client',
      description: 'Retries failed payment calls.',
      state: 'opened',
      webUrl: 'https://gitlab.example.com/shop/payments/-/merge_requests/12',
      changesCount: this.files.length,
      ...this.mr,
    };
  }

  async listChangedFiles(): Promise<ChangedFiles> {
    return { files: this.files, complete: this.complete };
  }

  async postNote(projectId: string, iid: number, body: string): Promise<PostedNote> {
    this.posted.push({ projectId, iid, body });
    return { noteId: 77 };
  }
}

type Reply = string | Partial<TextCompletion> | Error | (() => Promise<TextCompletion>);

/** A TextModel that records each request and answers from a script (the last reply repeats). */
export class ScriptedModel implements TextModel {
  readonly requests: TextCompletionRequest[] = [];
  private readonly replies: Reply[];

  constructor(...replies: Reply[]) {
    this.replies = replies;
  }

  async complete(request: TextCompletionRequest): Promise<TextCompletion> {
    this.requests.push(request);
    const reply = this.replies[Math.min(this.requests.length - 1, this.replies.length - 1)];
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return reply();
    const base = {
      text: '',
      inputTokens: 100,
      outputTokens: 20,
      truncated: false,
      guardrailIntervened: false,
    };
    return typeof reply === 'string' ? { ...base, text: reply } : { ...base, ...reply };
  }
}

/** A model answer as JSON. */
export const answer = (summary: string, findings: unknown[] = []): string =>
  JSON.stringify({ summary, findings });
