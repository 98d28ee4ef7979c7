/**
 * "Export CSV": GET /api/usage.csv with the page's filters, fetched with the bearer token (tokens
 * never go in a URL, so a plain link cannot carry it), then saved through an <a download> on a
 * blob URL named from Content-Disposition.
 */
import { authorizationHeader, refreshSession } from '../../api/client';
import { ApiError } from '../../api/errors';

const fetchCsv = (url: string) => fetch(url, { headers: { accept: 'text/csv', ...authorizationHeader() }, credentials: 'same-origin' });

export async function downloadCsv(url: string): Promise<string> {
  let response = await fetchCsv(url);
  if (response.status === 401 && (await refreshSession())) response = await fetchCsv(url);
  if (!response.ok) throw await ApiError.from(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'switchboard-usage.csv';
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.download = filename;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return filename;
}
