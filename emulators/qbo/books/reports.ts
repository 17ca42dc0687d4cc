import { faults } from '../core/faults';
import { formatCents } from '../core/money';
import type { Company } from '../company/company';
import { classificationOf, isDebitNormal, systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';

/**
 * TrialBalance and ProfitAndLoss in QBO's report JSON (Header, Columns.Column[], Rows.Row[] with ColData
 * and Summary rows; schema types Report/Row/ColData). Accrual basis, built from the stored effects, so
 * debits equal credits whenever the postings do.
 */
interface Period {
  start: string;
  end: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function period(params: URLSearchParams, today: string): Period {
  const end = params.get('end_date') ?? today;
  // QBO's default is this fiscal year to date (the emulator's fiscal year starts in January).
  const start = params.get('start_date') ?? `${end.slice(0, 4)}-01-01`;
  for (const [name, value] of [
    ['start_date', start],
    ['end_date', end],
  ] as const) {
    if (!DATE.test(value)) throw faults.business(`${name} must be yyyy-MM-dd`, name);
  }
  return { start, end };
}

const isProfitAndLoss = (account: Entity): boolean => {
  const c = classificationOf(String(account.AccountType));
  return c === 'Revenue' || c === 'Expense';
};

/** Debit-positive cents per account over the effects dated within [from, to]. */
function debitBalances(company: Company, from: string | null, to: string): Map<string, number> {
  const balances = new Map<string, number>();
  for (const effects of Object.values(company.state.effects)) {
    if (effects.date > to || (from !== null && effects.date < from)) continue;
    for (const p of effects.postings) balances.set(p.accountId, (balances.get(p.accountId) ?? 0) + p.cents);
  }
  return balances;
}

function header(company: Company, name: string, p: Period, time: string, empty: boolean): Entity {
  return {
    Time: time,
    ReportName: name,
    ReportBasis: 'Accrual',
    StartPeriod: p.start,
    EndPeriod: p.end,
    Currency: String(company.homeCurrency().value),
    Option: [{ Name: 'NoReportData', Value: String(empty) }],
  };
}

const money = (cents: number): string => formatCents(cents);
const column = (title: string, type: string, key: string): Entity => ({
  ColTitle: title,
  ColType: type,
  MetaData: [{ Name: 'ColKey', Value: key }],
});
const CLASS_ORDER = ['Asset', 'Liability', 'Equity', 'Revenue', 'Expense'];

export function trialBalance(company: Company, params: URLSearchParams, today: string, time: string, now: string): Entity {
  const p = period(params, today);
  const retainedId = systemAccount(company, 'retainedEarnings', now);
  const all = debitBalances(company, null, p.end);
  const current = debitBalances(company, p.start, p.end);
  const balances = new Map<string, number>();
  for (const [accountId, cents] of all) {
    const account = company.get('Account', accountId);
    // P&L accounts show this period; earlier profit sits in Retained Earnings, as in QBO.
    const own = account && isProfitAndLoss(account) ? (current.get(accountId) ?? 0) : cents;
    balances.set(accountId, (balances.get(accountId) ?? 0) + own);
    if (own !== cents) balances.set(retainedId, (balances.get(retainedId) ?? 0) + cents - own);
  }
  const accounts = [...balances.entries()]
    .filter(([, cents]) => cents !== 0)
    .map(([id, cents]) => ({ account: company.get('Account', id) ?? { Id: id, Name: id }, cents }))
    .sort(
      (a, b) =>
        CLASS_ORDER.indexOf(classificationOf(String(a.account.AccountType))) -
          CLASS_ORDER.indexOf(classificationOf(String(b.account.AccountType))) ||
        String(a.account.FullyQualifiedName ?? a.account.Name).localeCompare(String(b.account.FullyQualifiedName ?? b.account.Name)),
    );
  let debit = 0;
  let credit = 0;
  const rows: Entity[] = accounts.map(({ account, cents }) => {
    if (cents > 0) debit += cents;
    else credit -= cents;
    return {
      ColData: [
        { value: String(account.FullyQualifiedName ?? account.Name), id: String(account.Id) },
        { value: cents > 0 ? money(cents) : '' },
        { value: cents < 0 ? money(-cents) : '' },
      ],
    };
  });
  rows.push({
    Summary: { ColData: [{ value: 'TOTAL' }, { value: money(debit) }, { value: money(credit) }] },
    type: 'Section',
    group: 'GrandTotal',
  });
  return {
    Header: header(company, 'TrialBalance', p, time, accounts.length === 0),
    Columns: { Column: [column('', 'Account', 'account'), column('Debit', 'Money', 'Debit'), column('Credit', 'Money', 'Credit')] },
    Rows: { Row: rows },
  };
}

const PNL_SECTIONS = [
  { group: 'Income', title: 'Income', types: ['Income'] },
  { group: 'COGS', title: 'Cost of Goods Sold', types: ['Cost of Goods Sold'] },
  { group: 'Expenses', title: 'Expenses', types: ['Expense'] },
  { group: 'OtherIncome', title: 'Other Income', types: ['Other Income'] },
  { group: 'OtherExpenses', title: 'Other Expenses', types: ['Other Expense'] },
] as const;

export function profitAndLoss(company: Company, params: URLSearchParams, today: string, time: string): Entity {
  const p = period(params, today);
  const balances = debitBalances(company, p.start, p.end);
  const totals: Record<string, number> = {};
  const section = (s: (typeof PNL_SECTIONS)[number]): Entity => {
    const data = company
      .list('Account')
      .filter((a) => (s.types as readonly string[]).includes(String(a.AccountType)) && (balances.get(String(a.Id)) ?? 0) !== 0)
      .map((a) => ({ a, cents: (balances.get(String(a.Id)) ?? 0) * (isDebitNormal(a) ? 1 : -1) }));
    const total = data.reduce((sum, d) => sum + d.cents, 0);
    totals[s.group] = total;
    return {
      Header: { ColData: [{ value: s.title }, { value: '' }] },
      Rows: {
        Row: data.map(({ a, cents }) => ({
          ColData: [{ value: String(a.FullyQualifiedName ?? a.Name), id: String(a.Id) }, { value: money(cents) }],
          type: 'Data',
        })),
      },
      Summary: { ColData: [{ value: `Total ${s.title}` }, { value: money(total) }] },
      type: 'Section',
      group: s.group,
    };
  };
  const summary = (group: string, title: string, cents: number): Entity => ({
    Summary: { ColData: [{ value: title }, { value: money(cents) }] },
    type: 'Section',
    group,
  });
  const [income, cogs, expenses, otherIncome, otherExpenses] = PNL_SECTIONS.map(section) as [Entity, Entity, Entity, Entity, Entity];
  const t = (g: string): number => totals[g] ?? 0;
  const gross = t('Income') - t('COGS');
  const operating = gross - t('Expenses');
  const other = t('OtherIncome') - t('OtherExpenses');
  const rows = [
    income,
    cogs,
    summary('GrossProfit', 'Gross Profit', gross),
    expenses,
    summary('NetOperatingIncome', 'Net Operating Income', operating),
    otherIncome,
    otherExpenses,
    summary('NetOtherIncome', 'Net Other Income', other),
    summary('NetIncome', 'Net Income', operating + other),
  ];
  return {
    Header: header(company, 'ProfitAndLoss', p, time, balances.size === 0),
    Columns: { Column: [column('', 'Account', 'account'), column('Total', 'Money', 'total')] },
    Rows: { Row: rows },
  };
}
