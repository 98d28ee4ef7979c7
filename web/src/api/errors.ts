/** An API error as the server renders it: `{"error":{message,type,code,source,param}}` + x-request-id. */
export type ErrorSource = 'user' | 'provider' | 'platform';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: string;
  readonly source: ErrorSource;
  readonly param: string | null;
  readonly requestId: string | null;

  constructor(init: { status: number; message: string; code: string; type?: string; source?: ErrorSource; param?: string | null; requestId?: string | null }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.type = init.type ?? 'api_error';
    this.source = init.source ?? (init.status >= 500 ? 'platform' : 'user');
    this.param = init.param ?? null;
    this.requestId = init.requestId ?? null;
  }

  static async from(response: Response): Promise<ApiError> {
    const requestId = response.headers.get('x-request-id');
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
    const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const source = str(error?.source);
    return new ApiError({
      status: response.status,
      message: str(error?.message) ?? `The server answered ${response.status}.`,
      code: str(error?.code) ?? `http_${response.status}`,
      type: str(error?.type) ?? 'api_error',
      source: source === 'user' || source === 'provider' || source === 'platform' ? source : undefined,
      param: str(error?.param) ?? null,
      requestId,
    });
  }

  /** A network failure (no answer at all): blamed on the platform or the network, not the user. */
  static network(cause: unknown): ApiError {
    const error = new ApiError({ status: 0, message: 'Could not reach Switchboard. Check your connection and try again.', code: 'network_error', source: 'platform' });
    (error as { cause?: unknown }).cause = cause;
    return error;
  }
}

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

/** The sentence shown to people: the message, plus the request id for server faults. */
export function describeError(error: unknown): string {
  if (isApiError(error)) {
    return error.source === 'platform' && error.requestId ? `${error.message} (request id ${error.requestId})` : error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}
