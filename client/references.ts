import type {
  RetrievalResultLocation,
  RetrievedReference,
  Citation as SdkCitation,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { Citation, Reference } from './events';

/** The address of a retrieved document, whatever its source type. */
export function sourceUri(location: RetrievalResultLocation | undefined): string | undefined {
  if (!location) return undefined;
  return (
    location.s3Location?.uri ??
    location.webLocation?.url ??
    location.confluenceLocation?.url ??
    location.salesforceLocation?.url ??
    location.sharePointLocation?.url ??
    location.kendraDocumentLocation?.uri ??
    location.oneDriveLocation?.url ??
    location.googleDriveLocation?.url ??
    location.customDocumentLocation?.id ??
    location.sqlLocation?.query
  );
}

/** One retrieved reference in the engine-neutral shape. */
export function toReference(ref: RetrievedReference): Reference {
  const uri = sourceUri(ref.location);
  const sourceType = ref.location?.type;
  const text = ref.content?.text;
  return {
    ...(uri === undefined ? {} : { uri }),
    ...(sourceType === undefined ? {} : { sourceType }),
    ...(text === undefined ? {} : { text }),
    ...(ref.metadata ? { metadata: { ...ref.metadata } } : {}),
  };
}

/** One chunk citation in the engine-neutral shape. */
export function toCitation(citation: SdkCitation): Citation {
  const part = citation.generatedResponsePart?.textResponsePart;
  const span = part?.span;
  return {
    text: part?.text ?? '',
    ...(span?.start !== undefined && span.end !== undefined
      ? { span: { start: span.start, end: span.end } }
      : {}),
    references: (citation.retrievedReferences ?? []).map(toReference),
  };
}
