import { faults } from '../core/faults';
import { toCents } from '../core/money';
import { classificationOf, isDebitNormal, systemAccount } from '../company/systemAccounts';
import type { Entity } from '../types';
import type { EntityRules, Prepared, RuleContext } from './context';
import { checkRef, refId } from './refs';

/** Name lists: names are unique (6240, docs/qbo-facts.md §7) without regard to case, and entities start Active. */
function sameName(a: unknown, b: unknown): boolean {
  return (
    String(a ?? '')
      .trim()
      .toLowerCase() ===
    String(b ?? '')
      .trim()
      .toLowerCase()
  );
}

/**
 * `self` is the entity type of `doc`, so an update does not clash with its own stored version. Inactive
 * entities hold their names too (a clash with one is still 6240).
 */
export function assertUniqueName(ctx: RuleContext, self: string, doc: Entity, entities: string[], field: string): void {
  for (const entity of entities) {
    const clash = ctx.company
      .list(entity)
      .find((o) => sameName(o[field], doc[field]) && !(entity === self && String(o.Id) === String(doc.Id)));
    if (clash) throw faults.duplicateName();
  }
}

function namedRules(entity: string, parentField?: string): EntityRules {
  return {
    prepare: (ctx, doc) => {
      if (doc.Name === undefined || doc.Name === '') throw faults.requiredMissing('Name');
      assertUniqueName(ctx, entity, doc, [entity], 'Name');
      if (parentField) {
        const parent = checkRef(ctx, entity, doc.ParentRef, 'ParentRef');
        doc[parentField] = parent !== undefined;
        doc.FullyQualifiedName = parent ? `${parent.FullyQualifiedName ?? parent.Name}:${doc.Name}` : doc.Name;
      }
      doc.Active ??= true;
      return {};
    },
    computed: ['FullyQualifiedName'],
    create: true,
    update: true,
  };
}

/** docs/qbo-facts.md §4: DisplayName is unique across Customer, Vendor and Employee; QBO builds it from the name parts. */
function personRules(entity: 'Customer' | 'Vendor' | 'Employee'): EntityRules {
  return {
    derive: (doc) => {
      if (doc.DisplayName) return;
      const parts = [doc.Title, doc.GivenName, doc.MiddleName, doc.FamilyName, doc.Suffix].filter((p) => p);
      const name = parts.length > 0 ? parts.join(' ') : doc.CompanyName;
      if (name) doc.DisplayName = name;
    },
    prepare: (ctx, doc) => {
      assertUniqueName(ctx, entity, doc, ['Customer', 'Vendor', 'Employee'], 'DisplayName');
      if (entity === 'Customer') {
        if (doc.Job === true && refId(doc.ParentRef) === undefined) throw faults.requiredMissing('ParentRef');
        const parent = checkRef(ctx, 'Customer', doc.ParentRef, 'ParentRef');
        doc.FullyQualifiedName = parent ? `${parent.FullyQualifiedName}:${doc.DisplayName}` : doc.DisplayName;
        checkRef(ctx, 'PaymentMethod', doc.PaymentMethodRef, 'PaymentMethodRef');
        checkRef(ctx, 'Term', doc.SalesTermRef, 'SalesTermRef');
        checkRef(ctx, 'TaxCode', doc.DefaultTaxCodeRef, 'DefaultTaxCodeRef');
      }
      if (entity === 'Vendor') checkRef(ctx, 'Term', doc.TermRef, 'TermRef');
      doc.Active ??= true;
      if (entity !== 'Employee') doc.Balance ??= 0;
      return {};
    },
    computed: ['FullyQualifiedName', 'Balance', 'BalanceWithJobs', 'Level'],
    carried: ['Balance'],
    create: true,
    update: true,
  };
}

/** Account: Name unique (6240); Classification follows AccountType; an OpeningBalance posts against Opening Balance Equity. */
const accountRules: EntityRules = {
  prepare: (ctx, doc, previous): Prepared => {
    assertUniqueName(ctx, 'Account', doc, ['Account'], 'Name');
    const parent = checkRef(ctx, 'Account', doc.ParentRef, 'ParentRef');
    if (parent && parent.AccountType !== doc.AccountType)
      throw faults.business('A sub-account must have the same AccountType as its parent', 'ParentRef');
    doc.SubAccount = parent !== undefined;
    doc.FullyQualifiedName = parent ? `${parent.FullyQualifiedName}:${doc.Name}` : doc.Name;
    doc.Classification = classificationOf(String(doc.AccountType));
    doc.Active ??= true;
    doc.CurrentBalance ??= 0;
    doc.CurrentBalanceWithSubAccounts ??= 0;
    // The opening balance is posted once, at create, under its own key so later updates leave it alone.
    const opening = previous ? null : toCents(doc.OpeningBalance);
    if (!opening) return {};
    const equity = systemAccount(ctx.company, 'openingBalanceEquity', ctx.clock.timestamp());
    const cents = isDebitNormal(doc) ? opening : -opening;
    const effects = {
      date: String(doc.OpeningBalanceDate ?? ctx.clock.today()),
      postings: [
        { accountId: String(doc.Id), cents },
        { accountId: equity, cents: -cents },
      ],
    };
    return { extra: [{ key: `Account:${doc.Id}:open`, effects }] };
  },
  computed: ['FullyQualifiedName', 'Classification', 'CurrentBalance', 'CurrentBalanceWithSubAccounts'],
  carried: ['CurrentBalance', 'CurrentBalanceWithSubAccounts'],
  create: true,
  update: true,
};

/** Tax codes and rates come from the company (QBO creates them through TaxService/AST): read and query only. */
const readOnly: EntityRules = { prepare: () => ({}) };

const paymentMethodBase = namedRules('PaymentMethod');
const paymentMethodRules: EntityRules = {
  ...paymentMethodBase,
  prepare: (ctx, doc, previous) => {
    doc.Type ??= 'NON_CREDIT_CARD';
    return paymentMethodBase.prepare(ctx, doc, previous);
  },
};

export const listRules = {
  Customer: personRules('Customer'),
  Vendor: personRules('Vendor'),
  Employee: personRules('Employee'),
  Account: accountRules,
  Class: namedRules('Class', 'SubClass'),
  Department: namedRules('Department', 'SubDepartment'),
  Term: namedRules('Term'),
  PaymentMethod: paymentMethodRules,
  TaxCode: readOnly,
  TaxRate: readOnly,
  Preferences: readOnly,
  CompanyInfo: readOnly,
} satisfies Record<string, EntityRules>;
