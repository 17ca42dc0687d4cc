/**
 * Errors a service answers a request with: an HTTP status, a stable code and a message for the caller.
 * api/app.ts's error handler sends them as they are; anything else is a 500 whose details stay in the log.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details);
export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const unprocessable = (code: string, message: string, details?: unknown) => new HttpError(422, code, message, details);
