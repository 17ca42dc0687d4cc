import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocateMoney,
  compareMoney,
  currencyExponent,
  divideToDecimalString,
  fromQboAmount,
  moneyFromMinor,
  mulDivMoney,
  multiplyMoney,
  negateMoney,
  parseMoney,
  subtractMoney,
  sumMoney,
  toDecimalString,
  toQboAmount,
} from '../../domain/money';
import { InvalidInputError } from '../../domain/errors';

describe('parseMoney', () => {
  it.each([
    ['19.90', 'USD', 1990],
    ['19.9', 'USD', 1990],
    ['0.05', 'USD', 5],
    ['-0.05', 'USD', -5],
    ['1500.0', 'JPY', 1500],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['1.5', 'BHD', 1500],
    ['7.00000', 'EUR', 700],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('reads %s %s as %i minor units', (amount, currency, minor) => {
    expect(parseMoney(amount, currency)).toEqual({ minor, currency });
  });

  it.each([
    ['19.905', 'USD', 'USD has 2 decimal places'],
    ['1500.5', 'JPY', 'JPY has 0 decimal places'],
    ['1.2345', 'KWD', 'KWD has 3 decimal places'],
    ['', 'USD', 'expected digits'],
    ['1e3', 'USD', 'expected digits'],
    ['+1.00', 'USD', 'expected digits'],
    [' 1.00', 'USD', 'expected digits'],
    ['1,000.00', 'USD', 'expected digits'],
    ['.5', 'USD', 'expected digits'],
    ['1.', 'USD', 'expected digits'],
    ['NaN', 'USD', 'expected digits'],
    ['90071992547409.92', 'USD', 'out of range'],
    ['1.00', 'usd', 'Invalid currency code'],
  ])('rejects %j in %s with a clear error', (amount, currency, message) => {
    expect(() => parseMoney(amount, currency)).toThrow(InvalidInputError);
    expect(() => parseMoney(amount, currency)).toThrow(message);
  });

  it('uses the ISO exponent of each currency', () => {
    expect([
      currencyExponent('USD'),
      currencyExponent('CAD'),
      currencyExponent('GBP'),
      currencyExponent('EUR'),
      currencyExponent('AUD'),
    ]).toEqual([2, 2, 2, 2, 2]);
    expect([currencyExponent('JPY'), currencyExponent('KRW'), currencyExponent('KWD'), currencyExponent('BHD')]).toEqual([0, 0, 3, 3]);
  });
});

describe('arithmetic', () => {
  it('adds 0.10 and 0.20 to exactly 0.30 and QBO receives 0.3', () => {
    const sum = addMoney(parseMoney('0.10', 'USD'), parseMoney('0.20', 'USD'));
    expect(sum.minor).toBe(30);
    expect(JSON.stringify({ Amount: toQboAmount(sum) })).toBe('{"Amount":0.3}');
  });

  it('sums, subtracts, negates and multiplies exactly', () => {
    const usd = (s: string) => parseMoney(s, 'USD');
    expect(toDecimalString(sumMoney([usd('19.99'), usd('0.01'), usd('-5.00')], 'USD'))).toBe('15.00');
    expect(toDecimalString(subtractMoney(usd('1.00'), usd('1.01')))).toBe('-0.01');
    expect(toDecimalString(negateMoney(usd('0.00')))).toBe('0.00');
    expect(toDecimalString(multiplyMoney(usd('19.99'), 3))).toBe('59.97');
  });

  it('refuses to mix currencies', () => {
    expect(() => addMoney(parseMoney('1', 'USD'), parseMoney('1', 'CAD'))).toThrow('Currency mismatch: USD and CAD');
  });

  it('refuses results beyond the safe integer range', () => {
    expect(() => multiplyMoney(moneyFromMinor(Number.MAX_SAFE_INTEGER, 'USD'), 2)).toThrow('out of range');
    expect(() => addMoney(moneyFromMinor(Number.MAX_SAFE_INTEGER, 'USD'), moneyFromMinor(1, 'USD'))).toThrow('out of range');
  });

  it('compares amounts', () => {
    expect(compareMoney(parseMoney('1.00', 'USD'), parseMoney('0.99', 'USD'))).toBe(1);
    expect(compareMoney(parseMoney('-1', 'USD'), parseMoney('0', 'USD'))).toBe(-1);
    expect(compareMoney(parseMoney('2.10', 'USD'), parseMoney('2.1', 'USD'))).toBe(0);
  });

  it('scales proportionally rounding half away from zero', () => {
    expect(mulDivMoney(parseMoney('3.00', 'GBP'), 2000, 1800).minor).toBe(333);
    expect(mulDivMoney(parseMoney('0.05', 'USD'), 1, 2).minor).toBe(3);
    expect(mulDivMoney(parseMoney('-0.05', 'USD'), 1, 2).minor).toBe(-3);
  });
});

describe('allocateMoney (largest remainder)', () => {
  it.each([
    ['1.00', 'USD', [1, 1, 1], ['0.34', '0.33', '0.33']],
    ['-1.00', 'USD', [1, 1, 1], ['-0.34', '-0.33', '-0.33']],
    ['10.00', 'USD', [4500, 3000], ['6.00', '4.00']],
    ['0.05', 'USD', [1, 1], ['0.03', '0.02']],
    ['100', 'JPY', [1, 2], ['33', '67']],
    ['1.000', 'KWD', [1, 1, 1], ['0.334', '0.333', '0.333']],
    ['0.00', 'USD', [3, 1], ['0.00', '0.00']],
    ['5.00', 'USD', [0, 1], ['0.00', '5.00']],
  ])('splits %s %s by %j into %j', (amount, currency, weights, parts) => {
    const result = allocateMoney(parseMoney(amount, currency), weights);
    expect(result.map(toDecimalString)).toEqual(parts);
    expect(sumMoney(result, currency).minor).toBe(parseMoney(amount, currency).minor);
  });

  it('rejects weights that cannot allocate', () => {
    expect(() => allocateMoney(parseMoney('1', 'USD'), [])).toThrow('at least one weight');
    expect(() => allocateMoney(parseMoney('1', 'USD'), [0, 0])).toThrow('must not all be zero');
    expect(() => allocateMoney(parseMoney('1', 'USD'), [1, -1])).toThrow('non-negative integers');
    expect(() => allocateMoney(parseMoney('1', 'USD'), [0.5, 1])).toThrow('non-negative integers');
  });
});

describe('QBO amounts', () => {
  it.each([
    ['19.90', 'USD', 19.9, '19.9'],
    ['-3.30', 'USD', -3.3, '-3.3'],
    ['1500', 'JPY', 1500, '1500'],
    ['1.234', 'KWD', 1.234, '1.234'],
    ['9999999999.99', 'USD', 9999999999.99, '9999999999.99'],
  ])('writes %s %s as the JSON number %d', (amount, currency, number, json) => {
    const qbo = toQboAmount(parseMoney(amount, currency));
    expect(qbo).toBe(number);
    expect(JSON.stringify(qbo)).toBe(json);
    expect(fromQboAmount(qbo, currency)).toEqual(parseMoney(amount, currency));
  });

  it("refuses amounts beyond QBO's 10 integer digits", () => {
    expect(() => toQboAmount(parseMoney('10000000000.00', 'USD'))).toThrow("exceeds QBO's 10 integer digits");
  });

  it('refuses QBO numbers with more places than the currency has', () => {
    expect(() => fromQboAmount(19.905, 'USD')).toThrow('USD has 2 decimal places');
    expect(() => fromQboAmount(Number.NaN, 'USD')).toThrow('Invalid QBO amount');
  });

  it('divides for unit prices with the requested places', () => {
    expect(divideToDecimalString(parseMoney('16.67', 'GBP'), 2, 5)).toBe('8.33500');
    expect(divideToDecimalString(parseMoney('10.00', 'USD'), 3, 5)).toBe('3.33333');
    expect(divideToDecimalString(parseMoney('-10.00', 'USD'), 3, 2)).toBe('-3.33');
    expect(divideToDecimalString(parseMoney('1000', 'JPY'), 3, 0)).toBe('333');
  });
});
