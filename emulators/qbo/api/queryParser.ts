import { faults } from '../core/faults';

/**
 * QBO's SQL subset (docs/qbo-facts.md §5): select * | count(*) from Entity [where a op v and …] [orderby f [asc|desc], …]
 * [startposition n] [maxresults n]; operators =, <, >, <=, >=, IN (…), LIKE with %; no OR, no joins.
 */
export type Literal = string | number | boolean;

export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'IN' | 'LIKE';
  values: Literal[];
}

export interface ParsedQuery {
  entity: string;
  count: boolean;
  where: Condition[];
  orderBy: { field: string; desc: boolean }[];
  startPosition: number;
  maxResults: number;
}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === "'") {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= sql.length) throw faults.queryParse('unterminated string literal');
        const ch = sql[i] as string;
        if (ch === '\\' && i + 1 < sql.length) {
          text += sql[i + 1];
          i += 2;
          continue;
        }
        if (ch === "'" && sql[i + 1] === "'") {
          text += "'";
          i += 2;
          continue;
        }
        if (ch === "'") {
          i += 1;
          break;
        }
        text += ch;
        i += 1;
      }
      tokens.push({ kind: 'string', text });
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '!=' || two === '<>') {
      tokens.push({ kind: 'symbol', text: two });
      i += 2;
      continue;
    }
    if ('=<>(),*'.includes(c)) {
      tokens.push({ kind: 'symbol', text: c });
      i += 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(sql.slice(i));
    if (number && (c === '-' || /\d/.test(c))) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*/.exec(sql.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
      continue;
    }
    throw faults.queryParse(`Encountered " "${c}" " at column ${i + 1}`);
  }
  return tokens;
}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(): Token {
    const token = this.tokens[this.i++];
    if (!token) throw faults.queryParse('unexpected end of query');
    return token;
  }

  isWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }

  expectWord(word: string): void {
    const t = this.next();
    if (t.kind !== 'word' || t.text.toLowerCase() !== word) throw faults.queryParse(`Encountered "${t.text}", expected "${word}"`);
  }

  expectSymbol(symbol: string): void {
    const t = this.next();
    if (t.kind !== 'symbol' || t.text !== symbol) throw faults.queryParse(`Encountered "${t.text}", expected "${symbol}"`);
  }

  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

function literal(token: Token): Literal {
  if (token.kind === 'string') return token.text;
  if (token.kind === 'number') return Number(token.text);
  if (token.kind === 'word' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
  throw faults.queryParse(`Encountered "${token.text}", expected a value`);
}

function condition(cur: Cursor): Condition {
  const field = cur.next();
  if (field.kind !== 'word') throw faults.queryParse(`Encountered "${field.text}", expected a field name`);
  const opToken = cur.next();
  const op = opToken.text.toUpperCase();
  if (op === 'IN') {
    cur.expectSymbol('(');
    const values: Literal[] = [literal(cur.next())];
    while (cur.peek()?.text === ',') {
      cur.next();
      values.push(literal(cur.next()));
    }
    cur.expectSymbol(')');
    return { field: field.text, op: 'IN', values };
  }
  if (op === 'LIKE') {
    const value = cur.next();
    if (value.kind !== 'string') throw faults.queryParse('LIKE needs a string');
    return { field: field.text, op: 'LIKE', values: [value.text] };
  }
  if (!['=', '<', '>', '<=', '>='].includes(op)) throw faults.queryParse(`Encountered "${opToken.text}": operator not supported`);
  return { field: field.text, op: op as Condition['op'], values: [literal(cur.next())] };
}

function positiveInt(cur: Cursor, what: string): number {
  const t = cur.next();
  const n = Number(t.text);
  if (t.kind !== 'number' || !Number.isInteger(n) || n < 0) throw faults.queryParse(`${what} needs a whole number`);
  return n;
}

/** QBO's defaults: STARTPOSITION 1, MAXRESULTS 100. */
const DEFAULT_MAX_RESULTS = 100;

export function parseQuery(sql: string): ParsedQuery {
  const cur = new Cursor(tokenize(sql));
  cur.expectWord('select');
  let count = false;
  if (cur.isWord('count')) {
    cur.next();
    cur.expectSymbol('(');
    cur.expectSymbol('*');
    cur.expectSymbol(')');
    count = true;
  } else if (cur.peek()?.text === '*') {
    cur.next();
  } else {
    // Field lists are accepted but, as docs/qbo-facts.md §5 says, every field comes back.
    do {
      const f = cur.next();
      if (f.kind !== 'word') throw faults.queryParse(`Encountered "${f.text}"`);
    } while (cur.peek()?.text === ',' && cur.next());
  }
  cur.expectWord('from');
  const entity = cur.next();
  if (entity.kind !== 'word') throw faults.queryParse(`Encountered "${entity.text}", expected an entity`);
  const query: ParsedQuery = { entity: entity.text, count, where: [], orderBy: [], startPosition: 1, maxResults: DEFAULT_MAX_RESULTS };
  if (cur.isWord('where')) {
    cur.next();
    query.where.push(condition(cur));
    while (cur.isWord('and')) {
      cur.next();
      query.where.push(condition(cur));
    }
    if (cur.isWord('or')) throw faults.queryParse('Encountered " "or" ": OR is not supported');
  }
  while (!cur.done()) {
    const t = cur.next();
    const word = t.text.toLowerCase();
    if (word === 'orderby' || word === 'order') {
      if (word === 'order') cur.expectWord('by');
      do {
        const field = cur.next();
        let desc = false;
        if (cur.isWord('desc') || cur.isWord('asc')) desc = cur.next().text.toLowerCase() === 'desc';
        query.orderBy.push({ field: field.text, desc });
      } while (cur.peek()?.text === ',' && cur.next());
    } else if (word === 'startposition') {
      query.startPosition = positiveInt(cur, 'STARTPOSITION');
    } else if (word === 'maxresults') {
      query.maxResults = positiveInt(cur, 'MAXRESULTS');
    } else {
      throw faults.queryParse(`Encountered " "${t.text}" "`);
    }
  }
  return query;
}
