/** The API's errors: what services throw (services/errors.ts), and the one body every error answer has. */
export { HttpError, badRequest, conflict, notFound, unprocessable } from '../services/errors';

/** The one error body every route answers with. */
export const errorBodySchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;
