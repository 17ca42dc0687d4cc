/**
 * Payout activity doubles for workflow tests that are not about payouts (the store loop, replays): discovery
 * finds nothing, as in a shop whose payouts are off; every other payout step is unexpected there and says so.
 */
import type { PayoutActivities } from '../../workflows/contracts';

export function idlePayoutActivities(): PayoutActivities {
  const unexpected = (name: string) => () => Promise.reject(new Error(`${name} was not expected in this test`));
  return {
    async payoutsDiscover() {
      return { listed: 0, started: 0, signalled: 0, settled: 0, skipped: 'payouts are off in the store settings' };
    },
    payoutAssess: unexpected('payoutAssess'),
    payoutRequestDocuments: unexpected('payoutRequestDocuments'),
    payoutPost: unexpected('payoutPost'),
    payoutRemove: unexpected('payoutRemove'),
    payoutRecord: unexpected('payoutRecord'),
  };
}
