import { faults } from '../core/faults';
import { decimalText } from '../core/money';
import type { QboSchema, SchemaField } from './schema';

/**
 * Rejects what QBO's deserializer rejects (docs/qbo-facts.md §7): a property the type does not have (2010), a value
 * of the wrong kind or outside its enum (2010, as QBO reports deserialization failures), a string over its
 * maxLength (2050) and, through checkRequired, a missing required field (2020).
 */

/** Limits that docs/qbo-facts.md §4 documents but the XSD annotations leave out. */
const EXTRA_MAX_LENGTH: Record<string, number> = {
  PrivateNote: 4000,
  'Line.Description': 4000,
  'Item.Name': 100,
  'Item.Sku': 100,
  'Customer.DisplayName': 500,
  'Vendor.DisplayName': 500,
  'Employee.DisplayName': 500,
};

/** XSD "required" flags that hold only in some cases; the entity rules check these themselves. */
const CONDITIONALLY_REQUIRED = new Set([
  'Customer.ParentRef', 'Item.IncomeAccountRef', 'Item.ExpenseAccountRef', 'Item.COGSAccountRef', 'Item.AssetAccountRef',
  'Line.Id', 'Line.Amount', 'Line.DetailType',
]);

const INTEGER_TYPES = new Set(['xs:int', 'xs:long', 'xs:positiveInteger']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validateShape(schema: QboSchema, entity: string, body: unknown): void {
  walk(schema, entity, body, entity, entity);
}

function walk(schema: QboSchema, typeName: string, value: unknown, path: string, className: string): void {
  const type = schema.type(typeName);
  if (!type || typeName === 'IntuitAnyType') return;
  if (!isObject(value)) throw faults.unsupportedProperty(`${path} must be an object`, path);
  for (const [key, child] of Object.entries(value)) {
    const field = type.fields.get(key);
    if (!field) {
      if (key === 'value' && type.simpleContent) continue;
      // No element, as recorded: test/fixtures/qbo-recorded/qbo_api/error/400_json.yml.
      throw faults.unsupportedProperty(
        `Unrecognized field "${key}" (class com.intuit.schema.finance.v3.${className}), not marked as ignorable`);
    }
    checkField(schema, typeName, field, child, `${path}.${key}`);
  }
}

function checkField(schema: QboSchema, owner: string, field: SchemaField, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const many = field.max === 'unbounded' || (typeof field.max === 'number' && field.max > 1);
  if (Array.isArray(value)) {
    if (!many) throw faults.unsupportedProperty(`${field.name} does not take a list`, field.name);
    for (const item of value) checkSingle(schema, owner, field, item, path);
    return;
  }
  if (many) throw faults.unsupportedProperty(`${field.name} must be a list`, field.name);
  checkSingle(schema, owner, field, value, path);
}

function checkSingle(schema: QboSchema, owner: string, field: SchemaField, value: unknown, path: string): void {
  const bad = (why: string): never => {
    throw faults.unsupportedProperty(`${field.name}: ${why}`, field.name);
  };
  const enumValues = schema.enumOf(field.type);
  if (enumValues) {
    if (typeof value !== 'string' || !enumValues.has(value)) {
      bad(`value ${JSON.stringify(value)} not one of declared Enum instance names: [${[...enumValues].join(', ')}]`);
    }
    return;
  }
  switch (field.type) {
    case 'xs:string':
    case 'xs:anyURI': {
      if (typeof value !== 'string' && typeof value !== 'number') bad('expected a string');
      const max = field.maxLength ?? EXTRA_MAX_LENGTH[`${owner}.${field.name}`] ?? EXTRA_MAX_LENGTH[field.name];
      const length = String(value).length;
      if (max !== undefined && length > max) throw faults.stringLength(field.name, max, length);
      return;
    }
    case 'id':
      if (typeof value !== 'string' && typeof value !== 'number') bad('expected an id');
      return;
    case 'xs:boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') bad('expected true or false');
      return;
    case 'xs:decimal':
    case 'xs:int':
    case 'xs:long':
    case 'xs:positiveInteger': {
      const text = decimalText(value);
      if (text === null) bad(`Can not construct instance of java.math.BigDecimal from ${JSON.stringify(value)}`);
      if (INTEGER_TYPES.has(field.type) && text !== null && text.includes('.')) bad('expected an integer');
      return;
    }
    case 'xs:date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) bad('expected a date yyyy-MM-dd');
      return;
    case 'xs:dateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) bad('expected a dateTime');
      return;
    default: {
      const type = schema.type(field.type);
      if (type?.simpleContent && (typeof value === 'string' || typeof value === 'number')) return;
      walk(schema, field.type, value, path, field.type);
    }
  }
}

/** Required fields of the entity and of every nested object present (skipping Id/SyncToken and the conditional ones). */
export function checkRequired(schema: QboSchema, typeName: string, value: unknown, path = typeName): void {
  const type = schema.type(typeName);
  if (!type || !isObject(value)) return;
  for (const field of type.fields.values()) {
    const child = value[field.name];
    if (field.required && field.name !== 'Id' && field.name !== 'SyncToken' && !CONDITIONALLY_REQUIRED.has(`${typeName}.${field.name}`)) {
      if (child === undefined || child === null || child === '') throw faults.requiredMissing(`${path}.${field.name}`.replace(/^[^.]+\./, ''));
    }
    if (child === undefined || child === null || !schema.type(field.type)) continue;
    for (const item of Array.isArray(child) ? child : [child]) checkRequired(schema, field.type, item, `${path}.${field.name}`);
  }
}
