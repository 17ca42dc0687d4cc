import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Intuit's v3 XSDs, flattened (docs/qbo-facts.md §7): qbo-v3-schema.json beside this file, generated from the
 * XSDs in xsd/ by scripts/qbo-schema/generate.ts (provenance in README.md here). Field lists already include the
 * base types' fields.
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

const FILE = 'qbo-v3-schema.json';

/**
 * The schema committed beside this file; from a compiled build (dist/emulators/qbo/schema), the source tree's
 * copy. `$QBO_SCHEMA_FILE` overrides both.
 */
export function findSchemaFile(start: string = __dirname): string {
  const fromEnv = process.env.QBO_SCHEMA_FILE;
  if (fromEnv) return resolve(fromEnv);
  const candidates = [join(start, FILE), resolve(start, '../../../../emulators/qbo/schema', FILE)];
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  throw new Error(`QBO schema not found: looked for ${candidates.join(' and ')}; set QBO_SCHEMA_FILE or the schemaFile option`);
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
