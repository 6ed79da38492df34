// Sending a form or a JSON body the ways real clients do: the documented browser client's FormData
// (multipart), an HTML form or `curl --data-urlencode` (urlencoded), and JSON with its content type,
// as text/plain (the documented client's login), with none, or as curl's `-d` sends it (urlencoded).
import type { ApiResponse, TemporalClient } from '../../core/client.ts';
import type { RequestBody } from '../../core/http.ts';

export const FORM_ENCODINGS = ['multipart', 'urlencoded', 'json', 'json-as-text'] as const;
export type FormEncoding = (typeof FORM_ENCODINGS)[number];

export const JSON_ENCODINGS = ['text', 'json', 'none', 'curl'] as const;
export type JsonEncoding = (typeof JSON_ENCODINGS)[number];

/** How each encoding is named in a finding. */
export const ENCODING_WORDS: Record<FormEncoding | JsonEncoding, string> = {
  multipart: 'as multipart/form-data (the documented client)',
  urlencoded: 'as an urlencoded form',
  json: 'as JSON with Content-Type application/json',
  'json-as-text': 'as JSON sent as text/plain',
  text: 'as JSON sent as text/plain (the documented client)',
  none: 'as JSON with no Content-Type',
  curl: 'as JSON sent the way curl -d sends it (Content-Type application/x-www-form-urlencoded)',
};

/** A form's fields in one of the form encodings. */
export function formBody(fields: Record<string, string>, encoding: FormEncoding): RequestBody {
  switch (encoding) {
    case 'multipart':
      return { kind: 'multipart', fields };
    case 'urlencoded':
      return { kind: 'text', contentType: 'application/x-www-form-urlencoded', data: new URLSearchParams(fields).toString() };
    case 'json':
      return { kind: 'text', contentType: 'application/json', data: JSON.stringify(fields) };
    case 'json-as-text':
      return { kind: 'text', contentType: 'text/plain;charset=UTF-8', data: JSON.stringify(fields) };
  }
}

/** A JSON document (or any text) in one of the JSON encodings. */
export function jsonBody(data: string, encoding: JsonEncoding): { body: RequestBody; headers: Record<string, string> } {
  switch (encoding) {
    case 'text':
      return { body: { kind: 'text', contentType: 'text/plain;charset=UTF-8', data }, headers: {} };
    case 'json':
      return { body: { kind: 'text', contentType: 'application/json', data }, headers: {} };
    case 'curl':
      return { body: { kind: 'text', contentType: 'application/x-www-form-urlencoded', data }, headers: {} };
    case 'none':
      // fetch labels a string body text/plain unless told otherwise: an empty type is what "none" can be on the wire.
      return { body: { kind: 'text', contentType: '', data }, headers: {} };
  }
}

export const postForm = (
  api: TemporalClient,
  path: string,
  fields: Record<string, string>,
  encoding: FormEncoding,
  auth?: string,
): Promise<ApiResponse> => api.raw('POST', path, { auth, body: formBody(fields, encoding) });

export const postJson = (api: TemporalClient, path: string, data: string, encoding: JsonEncoding): Promise<ApiResponse> => {
  const { body, headers } = jsonBody(data, encoding);
  return api.raw('POST', path, { body, headers });
};
