/**
 * How the API tells a Temporal call that ran out of time (services/deadline.ts) from one that failed, and how it
 * says what the server answered.
 */
import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { describeError, temporalTimedOut } from '../../services/deadline';

/** A gRPC error as @grpc/grpc-js hands it to the SDK: a code, details and metadata. */
const grpc = (code: number, message: string) => Object.assign(new Error(message), { code, details: message, metadata: {} });

describe('a Temporal call that ran out of time', () => {
  it('is told by the gRPC code under the SDK’s wrapper, or by the server’s words', () => {
    expect(
      temporalTimedOut(new ServiceError('Failed to query Workflow', { cause: grpc(4, '4 DEADLINE_EXCEEDED: Deadline exceeded') })),
    ).toBe(true);
    expect(temporalTimedOut(new ServiceError('Failed to query Workflow', { cause: grpc(1, '1 CANCELLED: Call cancelled') }))).toBe(true);
    expect(
      temporalTimedOut(
        new ServiceError('Failed to query Workflow', {
          cause: grpc(14, '14 UNAVAILABLE: query timed out before a worker could process it'),
        }),
      ),
    ).toBe(true);
    expect(
      temporalTimedOut(new ServiceError('Failed to query Workflow', { cause: grpc(9, '9 FAILED_PRECONDITION: namespace is paused') })),
    ).toBe(false);
  });

  it('is described with what the server answered beneath the SDK’s message', () => {
    const err = new ServiceError('Failed to query Workflow', { cause: grpc(9, '9 FAILED_PRECONDITION: namespace is paused') });
    expect(describeError(err)).toBe('Failed to query Workflow: 9 FAILED_PRECONDITION: namespace is paused');
    expect(describeError('plain')).toBe('plain');
  });
});
