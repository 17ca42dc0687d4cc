import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Intuit's v3 XSDs, flattened (docs/qbo-facts.md §7), read from ../shared/docs/qbo-schema at start-up rather than
 * copied into the project. Field lists already include the base types' fields.
 */
export interface SchemaField {
  name: string;
  type: string;
  min?: number;
  max?: number | 'unbounded';
  maxLength?: number;
  attribute?: boolean;
  required?: boolean;
  readOnly?: boolean;
  filterable?: boolean;
}

interface RawSchema {
  entities: Record<string, string>;
  complexTypes: Record<string, { bases: string[]; fields: SchemaField[] }>;
  enums: Record<string, string[]>;
}

export interface ComplexType {
  name: string;
  /** Simple-content types (ReferenceType, MemoRef) carry their text as `value` in JSON. */
  simpleContent: boolean;
  fields: Map<string, SchemaField>;
}

export class QboSchema {
  private readonly types = new Map<string, ComplexType>();
  private readonly enumValues = new Map<string, Set<string>>();

  constructor(raw: RawSchema) {
    for (const [name, type] of Object.entries(raw.complexTypes)) {
      this.types.set(name, {
        name,
        simpleContent: type.bases.includes('id') || type.bases.includes('xs:string'),
        fields: new Map(type.fields.map((f) => [f.name, f])),
      });
    }
    for (const [name, values] of Object.entries(raw.enums)) this.enumValues.set(name, new Set(values));
  }

  type(name: string): ComplexType | undefined {
    return this.types.get(name);
  }

  enumOf(name: string): Set<string> | undefined {
    return this.enumValues.get(name);
  }

  /** The schema field of an entity, matched without regard to case (query field names). */
  fieldOf(entity: string, name: string): SchemaField | undefined {
    const type = this.types.get(entity);
    if (!type) return undefined;
    return type.fields.get(name) ?? [...type.fields.values()].find((f) => f.name.toLowerCase() === name.toLowerCase());
  }
}

const RELATIVE = join('shared', 'docs', 'qbo-schema', 'qbo-v3-schema.json');

/** Finds the schema beside the project (`../shared`), walking up from this file. */
export function findSchemaFile(start: string = __dirname): string {
  const fromEnv = process.env.QBO_SCHEMA_FILE;
  if (fromEnv) return resolve(fromEnv);
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`QBO schema not found: looked for ${RELATIVE} above ${start}; set QBO_SCHEMA_FILE or the schemaFile option`);
}

const cache = new Map<string, QboSchema>();

export function loadSchema(file: string = findSchemaFile()): QboSchema {
  let schema = cache.get(file);
  if (!schema) {
    schema = new QboSchema(JSON.parse(readFileSync(file, 'utf8')) as RawSchema);
    cache.set(file, schema);
  }
  return schema;
}
