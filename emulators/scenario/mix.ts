// How often each situation occurs in a generated shop (probabilities per order).
export interface Mix {
  lineDiscount: number;
  orderDiscount: number;
  shippingDiscount: number;
  giftCardPurchase: number;
  giftCardRedemption: number;
  tip: number;
  duties: number;
  refund: number;
  /** Share of refunds that refund the whole order. */
  fullRefund: number;
  secondRefund: number;
  unpaidManual: number;
  /** Of the unpaid manual orders: paid later, cancelled (the rest stay unpaid). */
  unpaidLaterPaid: number;
  unpaidCancelled: number;
  paypal: number;
  authorizeThenCapture: number;
  authorizedOnly: number;
  testOrder: number;
  guestCheckout: number;
  /** A 100 % discount: one line free, or (half the time) every line of the order. Off by default. */
  fullDiscount: number;
}

export const DEFAULT_MIX: Mix = {
  lineDiscount: 0.15,
  orderDiscount: 0.12,
  shippingDiscount: 0.1,
  giftCardPurchase: 0.05,
  giftCardRedemption: 0.05,
  tip: 0.06,
  duties: 0.02,
  refund: 0.12,
  fullRefund: 0.4,
  secondRefund: 0.1,
  unpaidManual: 0.05,
  unpaidLaterPaid: 0.5,
  unpaidCancelled: 0.25,
  paypal: 0.14,
  authorizeThenCapture: 0.08,
  authorizedOnly: 0.01,
  testOrder: 0.005,
  guestCheckout: 0.05,
  // Off by default so that existing seeds generate the same shops; tax-inclusive end-to-end runs turn it on.
  fullDiscount: 0,
};
