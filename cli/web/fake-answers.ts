/**
 * What the fake chat backend stores and answers: the stored conversation shapes (as `GET /conversations/{id}`
 * returns them), the canned streamed answer and its citations.
 */

export interface StoredMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly timestamp: string;
  readonly citations?: readonly StoredCitation[];
  readonly toolCalls?: readonly { action_group: string; operation: string }[];
}

export interface StoredCitation {
  readonly text: string;
  readonly span?: { start: number; end: number };
  readonly sources: readonly { uri?: string; source_type?: string }[];
}

/** A citation as the `final` frame carries it (the engine's shape). */
export interface FrameCitation {
  readonly text: string;
  readonly span: { start: number; end: number };
  readonly references: readonly { uri: string; sourceType: string; text: string }[];
}

export interface Conversation {
  readonly id: string;
  readonly messages: StoredMessage[];
  updatedAt: string;
  busy: boolean;
}

export interface PendingConfirmation {
  readonly id: string;
  readonly conversationId: string;
  readonly owner: string;
  readonly title: string;
  readonly expiresAt: number;
}

const WEB_SOURCE = {
  uri: 'https://wiki.example.com/runbooks/vpn-drops',
  sourceType: 'WEB',
  text: 'When the VPN drops every few minutes, restart the client first, then check the path MTU.',
};
const S3_SOURCE = {
  uri: 's3://kass-documents-dev/documents/raw/vpn-mtu.md',
  sourceType: 'S3',
  text: 'If large packets fragment, lower the tunnel MTU to 1380 and reconnect.',
};

/** The streamed answer of the default scenario, in the order the agent produced it. */
export const CANNED_CHUNKS: readonly string[] = [
  'KASS found two documents about VPN drops. ',
  'Restart the client first, then check the MTU.',
  '\n\n## Steps\n\n',
  '1. Quit the VPN client and start it again.\n',
  '2. Check whether large packets fragment:\n\n',
  '```bash\nping -M do -s 1372 vpn.example.com\n```\n\n',
  'If packets fragment, lower the MTU to 1380.',
];

export const CONFIRM_TEXT = 'I can open a ticket for this. ';

/** Citations of an answer: each cited sentence with its span and sources. */
export function citationsFor(answer: string): FrameCitation[] {
  const cite = (text: string, references: FrameCitation['references']): FrameCitation[] => {
    const start = answer.indexOf(text);
    return start < 0 ? [] : [{ text, span: { start, end: start + text.length }, references }];
  };
  return [
    ...cite('Restart the client first, then check the MTU.', [WEB_SOURCE, S3_SOURCE]),
    ...cite('If packets fragment, lower the MTU to 1380.', [S3_SOURCE]),
  ];
}

export const toStored = (c: FrameCitation): StoredCitation => ({
  text: c.text,
  span: c.span,
  sources: c.references.map((r) => ({ uri: r.uri, source_type: r.sourceType })),
});
