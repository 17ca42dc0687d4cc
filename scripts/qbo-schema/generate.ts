/**
 * Regenerates emulators/qbo/schema/qbo-v3-schema.json from Intuit's v3 XSDs (emulators/qbo/schema/xsd/,
 * provenance in emulators/qbo/schema/README.md):
 *
 *   npx tsx scripts/qbo-schema/generate.ts [xsdDir] [outFile]
 *
 * What it keeps: the entities (elements in the IntuitObject substitution group), every named complex type with
 * its base types' fields folded in (base first, as the XSD extension chain orders them), every enumerated
 * simple type, and the few facts Intuit's annotations state in a fixed form (Required, Filterable, Sortable,
 * InputType: ReadOnly, QBO's max length, desktop-only fields). Intuit's prose is left out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** Finance.xsd and everything the v3 REST service definition pulls in. */
export const XSD_FILES = [
  'Finance.xsd',
  'IntuitBaseTypes.xsd',
  'IntuitNamesTypes.xsd',
  'IntuitRestServiceDef.xsd',
  'Report.xsd',
  'SalesTax.xsd',
] as const;

export interface GeneratedField {
  name: string;
  type: string;
  min?: number | 'unbounded';
  max?: number | 'unbounded';
  attribute?: true;
  maxLength?: number;
  filterable?: true;
  sortable?: true;
  required?: true;
  readOnly?: true;
  desktopOnly?: true;
}

export interface FlatType {
  bases: string[];
  abstract?: true;
  fields: GeneratedField[];
}

export interface GeneratedSchema {
  source: string;
  entities: Record<string, string>;
  complexTypes: Record<string, FlatType>;
  enums: Record<string, string[]>;
}

/** fast-xml-parser's order-preserving node: `{ 'xs:tag': children, ':@': attributes }` or `{ '#text': … }`. */
type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: true });

function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}
function kids(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const value = tag ? node[tag] : undefined;
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}
function attrs(node: XmlNode): Record<string, string> {
  return node[':@'] ?? {};
}
function childrenNamed(node: XmlNode, tag: string): XmlNode[] {
  return kids(node).filter((k) => tagOf(k) === tag);
}
function text(node: XmlNode): string {
  return kids(node)
    .map((k) => (tagOf(k) === '#text' ? String(k['#text']) : text(k)))
    .join(' ');
}

/** The documentation of a declaration, whitespace collapsed (Intuit wraps "Sortable:\n ALL" across lines). */
function documentation(node: XmlNode): string {
  return childrenNamed(node, 'xs:annotation')
    .flatMap((a) => childrenNamed(a, 'xs:documentation'))
    .map(text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Facts from an annotation: flags that apply to QBO ("ALL" or "QBO"), QBO's max length, desktop-only. */
export function annotationFacts(doc: string): Omit<GeneratedField, 'name' | 'type' | 'min' | 'max' | 'attribute'> {
  const facts: ReturnType<typeof annotationFacts> = {};
  const appliesToQbo = (label: string): boolean => new RegExp(`\\b${label}: ?(ALL|QBO)\\b`, 'i').test(doc);
  const qboMax =
    /ValidRange: ?QBO: ?(?:min ?= ?\d+,? ?)?max ?= ?(\d+)/i.exec(doc) ??
    /\bMax length: ?(\d+)/i.exec(doc) ??
    /\bmaximum length for \w+ is (\d+)/i.exec(doc);
  if (qboMax?.[1]) facts.maxLength = Number(qboMax[1]);
  if (appliesToQbo('Filterable')) facts.filterable = true;
  if (appliesToQbo('Sortable')) facts.sortable = true;
  // "Required for the create operation …" counts even when a condition follows; emulators/qbo/schema/validate.ts
  // exempts the conditional ones it knows. "Required for the Create request" (desktop wording) does not.
  if (appliesToQbo('Required') || /Required for the create\b/.test(doc)) facts.required = true;
  if (/InputType: ?(?:(?:ALL|QBO): ?)?ReadOnly\b/i.test(doc)) facts.readOnly = true;
  const products = [...doc.matchAll(/Product: ?([A-Za-z]+)/g)].map((m) => (m[1] ?? '').toUpperCase());
  if (products.length > 0 && products.every((p) => p === 'QBW' || p === 'QBD')) facts.desktopOnly = true;
  return facts;
}

interface Loaded {
  complexTypes: Map<string, XmlNode>;
  simpleTypes: Map<string, XmlNode>;
  entities: Map<string, string>;
}

function load(xsdDir: string): Loaded {
  const loaded: Loaded = { complexTypes: new Map(), simpleTypes: new Map(), entities: new Map() };
  for (const file of XSD_FILES) {
    const doc = parser.parse(readFileSync(join(xsdDir, file), 'utf8')) as XmlNode[];
    const schema = doc.find((n) => tagOf(n) === 'xs:schema');
    if (!schema) throw new Error(`${file}: no xs:schema`);
    for (const node of kids(schema)) {
      const { name, type, substitutionGroup } = attrs(node);
      if (!name) continue;
      if (tagOf(node) === 'xs:complexType') loaded.complexTypes.set(name, node);
      else if (tagOf(node) === 'xs:simpleType') loaded.simpleTypes.set(name, node);
      else if (tagOf(node) === 'xs:element' && substitutionGroup === 'IntuitObject' && type) loaded.entities.set(name, type);
    }
  }
  return loaded;
}

function occurs(value: string | undefined): number | 'unbounded' | undefined {
  if (value === undefined) return undefined;
  return value === 'unbounded' ? 'unbounded' : Number(value);
}

function fieldOf(node: XmlNode, attribute: boolean): GeneratedField | undefined {
  const a = attrs(node);
  if (!a.name) return undefined; // `ref=` elements (IntuitObject, …) are the substitution group, not fields
  // A declaration with an anonymous type of its own is typed 'inline'.
  const field: GeneratedField = { name: a.name, type: a.type ?? 'inline' };
  if (attribute) field.attribute = true;
  else {
    const min = occurs(a.minOccurs);
    const max = occurs(a.maxOccurs);
    if (min !== undefined && min !== 1) field.min = min;
    if (max !== undefined && max !== 1) field.max = max;
  }
  return { ...field, ...annotationFacts(documentation(node)) };
}

/** Elements and attributes of a content model, in document order, through sequences, choices and groups. */
function ownFields(node: XmlNode): GeneratedField[] {
  const out: GeneratedField[] = [];
  for (const child of kids(node)) {
    const tag = tagOf(child);
    if (tag === 'xs:element') {
      const f = fieldOf(child, false);
      if (f) out.push(f);
    } else if (tag === 'xs:attribute') {
      const f = fieldOf(child, true);
      if (f) out.push(f);
    } else if (tag === 'xs:sequence' || tag === 'xs:choice' || tag === 'xs:all') {
      out.push(...ownFields(child));
    }
  }
  return out;
}

function flatten(name: string, loaded: Loaded, done: Map<string, FlatType>): FlatType {
  const cached = done.get(name);
  if (cached) return cached;
  const node = loaded.complexTypes.get(name);
  if (!node) throw new Error(`unknown complex type ${name}`);
  let bases: string[] = [];
  let fields: GeneratedField[] = [];
  const content = kids(node).find((k) => tagOf(k) === 'xs:complexContent' || tagOf(k) === 'xs:simpleContent');
  if (content) {
    const ext = kids(content).find((k) => tagOf(k) === 'xs:extension' || tagOf(k) === 'xs:restriction');
    const base = ext ? attrs(ext).base : undefined;
    if (ext && base) {
      if (loaded.complexTypes.has(base)) {
        const parent = flatten(base, loaded, done);
        bases = [...parent.bases, base];
        fields = [...parent.fields];
      } else {
        bases = [base];
      }
      fields.push(...ownFields(ext));
    }
  } else {
    fields = ownFields(node);
  }
  // Key order is the file's: bases, abstract, fields.
  const result: FlatType = attrs(node).abstract === 'true' ? { bases, abstract: true, fields } : { bases, fields };
  done.set(name, result);
  return result;
}

function enumValues(node: XmlNode): string[] | undefined {
  const restriction = childrenNamed(node, 'xs:restriction')[0];
  if (!restriction) return undefined;
  const values = childrenNamed(restriction, 'xs:enumeration').map((e) => attrs(e).value ?? '');
  return values.length > 0 ? values : undefined;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function generateSchema(xsdDir: string): GeneratedSchema {
  const loaded = load(xsdDir);
  const done = new Map<string, FlatType>();
  const schema: GeneratedSchema = {
    source: 'Intuit QuickBooks Online v3 XSD (Finance.xsd and includes), flattened; facts only',
    entities: {},
    complexTypes: {},
    enums: {},
  };
  for (const name of [...loaded.entities.keys()].sort(byName)) schema.entities[name] = loaded.entities.get(name) ?? name;
  for (const name of [...loaded.complexTypes.keys()].sort(byName)) schema.complexTypes[name] = flatten(name, loaded, done);
  for (const name of [...loaded.simpleTypes.keys()].sort(byName)) {
    const values = enumValues(loaded.simpleTypes.get(name) as XmlNode);
    if (values) schema.enums[name] = values;
  }
  return schema;
}

/** The committed file's exact text: one-space indentation, a trailing newline. */
export function serialize(schema: GeneratedSchema): string {
  return `${JSON.stringify(schema, null, 1)}\n`;
}

const SCHEMA_DIR = resolve(__dirname, '../../emulators/qbo/schema');

if (require.main === module) {
  const xsdDir = resolve(process.argv[2] ?? join(SCHEMA_DIR, 'xsd'));
  const out = resolve(process.argv[3] ?? join(SCHEMA_DIR, 'qbo-v3-schema.json'));
  const schema = generateSchema(xsdDir);
  writeFileSync(out, serialize(schema));
  console.log(
    `${out}: ${Object.keys(schema.entities).length} entities, ${Object.keys(schema.complexTypes).length} complex types, ${Object.keys(schema.enums).length} enums`,
  );
}
