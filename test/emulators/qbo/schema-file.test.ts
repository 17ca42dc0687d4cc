import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSchemaFile } from '../../../emulators/qbo/schema/schema';
import { generateSchema, serialize } from '../../../scripts/qbo-schema/generate';

const SCHEMA_DIR = join(__dirname, '../../../emulators/qbo/schema');

describe('QBO emulator: the entity schema is the project’s own, reproducible from Intuit’s XSDs', () => {
  it('regenerates qbo-v3-schema.json byte for byte from the committed XSDs', () => {
    const committed = readFileSync(join(SCHEMA_DIR, 'qbo-v3-schema.json'), 'utf8');
    expect(serialize(generateSchema(join(SCHEMA_DIR, 'xsd'))) === committed).toBe(true);
  });

  it('keeps the facts the emulator relies on: required fields, QBO max lengths, enums', () => {
    const schema = generateSchema(join(SCHEMA_DIR, 'xsd'));
    const field = (type: string, name: string) => schema.complexTypes[type]?.fields.find((f) => f.name === name);
    expect(schema.entities.SalesReceipt).toBe('SalesReceipt');
    expect(schema.complexTypes.SalesReceipt?.bases).toEqual(['IntuitEntity', 'Transaction', 'SalesTransaction']);
    expect(field('SalesReceipt', 'DocNumber')).toMatchObject({ type: 'xs:string', maxLength: 21, filterable: true });
    expect(field('Line', 'DetailType')).toMatchObject({ type: 'LineDetailTypeEnum', required: true });
    expect(schema.enums.GlobalTaxCalculationEnum).toEqual(['TaxInclusive', 'TaxExcluded', 'NotApplicable']);
  });

  it('finds the committed schema by default, without anything beside the repository', () => {
    const saved = process.env.QBO_SCHEMA_FILE;
    delete process.env.QBO_SCHEMA_FILE;
    try {
      expect(findSchemaFile()).toBe(join(SCHEMA_DIR, 'qbo-v3-schema.json'));
    } finally {
      if (saved !== undefined) process.env.QBO_SCHEMA_FILE = saved;
    }
  });
});
