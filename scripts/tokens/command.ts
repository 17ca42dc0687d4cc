/**
 * `npm run tokens -- <create|list|revoke>`: scoped API tokens (api/tokens.ts). The logic, apart from the
 * entry point (scripts/tokens.ts), so tests run it against their own database.
 *
 *   create --store <id|domain> --scope read|operate [--label <text>] [--json]
 *   create --all-stores --scope read|operate [--label <text>] [--json]
 *   list [--json]
 *   revoke <token id>
 *
 * The token is printed once, at creation; only its SHA-256 is stored.
 */
import type { Db } from '../../db/client';
import { listApiTokens, revokeApiToken, type ApiTokenRow } from '../../db/queries/api-tokens';
import { getStore } from '../../db/queries/stores';
import { createApiToken, TOKEN_SCOPES, type ApiTokenScope } from '../../api/tokens';
import { storeIdFromParam } from '../../api/stores/views';

export const TOKENS_USAGE = `Usage:
  npm run tokens -- create --store <store id or shop domain> --scope read|operate [--label <text>] [--json]
  npm run tokens -- create --all-stores --scope read|operate [--label <text>] [--json]
  npm run tokens -- list [--json]
  npm run tokens -- revoke <token id>`;

export class UsageError extends Error {}

interface Output {
  out(line: string): void;
  err(line: string): void;
}

function parseFlags(args: string[], known: { values: string[]; switches: string[] }) {
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (known.switches.includes(name) && inline === undefined) switches.add(name);
    else if (known.values.includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      if (name in values) throw new UsageError(`--${name} given twice`);
      values[name] = v;
    } else throw new UsageError(`unknown option --${name}`);
  }
  return { values, switches, positional };
}

function tokenView(r: ApiTokenRow) {
  return {
    id: r.id,
    label: r.label,
    store: r.storeId ?? '*',
    scope: r.scope,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

function table(rows: Array<Record<string, string>>): string[] {
  if (rows.length === 0) return [];
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: Record<string, string>) =>
    cols
      .map((c, i) => r[c]!.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return [line(Object.fromEntries(cols.map((c) => [c, c]))), ...rows.map(line)];
}

/** Runs one command; returns the exit code. Usage mistakes throw UsageError. */
export async function tokensCommand(db: Db, argv: string[], io: Output): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create': {
      const { values, switches, positional } = parseFlags(rest, { values: ['store', 'scope', 'label'], switches: ['all-stores', 'json'] });
      if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
      const scope = values.scope as ApiTokenScope | undefined;
      if (!scope || !TOKEN_SCOPES.includes(scope)) throw new UsageError(`--scope must be one of ${TOKEN_SCOPES.join(', ')}`);
      if (Boolean(values.store) === switches.has('all-stores')) throw new UsageError('give either --store <id> or --all-stores');
      let storeId: string | null = null;
      if (values.store !== undefined) {
        const id = storeIdFromParam(values.store);
        const store = id === undefined ? undefined : await getStore(db, { storeId: id });
        if (!store) {
          io.err(`No store ${values.store}: connect it first (POST /stores), or give its id as GET /stores shows it`);
          return 1;
        }
        storeId = store.id;
      }
      let created;
      try {
        created = await createApiToken(db, { storeId, scope, label: values.label });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const { token, row } = created;
      if (switches.has('json')) io.out(JSON.stringify({ token, ...tokenView(row) }));
      else {
        io.out(`Created token ${row.id} "${row.label}": ${row.storeId ? `store ${row.storeId}` : 'all stores'}, ${row.scope}.`);
        io.out('The token (shown this once; only its hash is kept):');
        io.out('');
        io.out(`  ${token}`);
        io.out('');
        io.out(`Use it as Authorization: Bearer <token>. Revoke it with: npm run tokens -- revoke ${row.id}`);
      }
      return 0;
    }
    case 'list': {
      const { switches, positional } = parseFlags(rest, { values: [], switches: ['json'] });
      if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
      const rows = (await listApiTokens(db)).map(tokenView);
      if (switches.has('json')) io.out(JSON.stringify(rows));
      else if (rows.length === 0) io.out('No tokens (the admin token, LEDGERLINE_API_TOKEN, is configuration, not listed).');
      else {
        for (const l of table(
          rows.map((r) => ({
            id: r.id,
            label: r.label,
            store: r.store,
            scope: r.scope,
            created: r.createdAt,
            'last used': r.lastUsedAt ?? '-',
            revoked: r.revokedAt ?? '-',
          })),
        ))
          io.out(l);
      }
      return 0;
    }
    case 'revoke': {
      const { positional } = parseFlags(rest, { values: [], switches: [] });
      if (positional.length !== 1) throw new UsageError('revoke takes one token id (npm run tokens -- list shows them)');
      const id = positional[0]!;
      if (!/^[0-9a-f]{16}$/.test(id)) throw new UsageError(`${JSON.stringify(id)} is not a token id (16 hex characters)`);
      const result = await revokeApiToken(db, { id, at: new Date() });
      if (!result) {
        io.err(`No token ${id}`);
        return 1;
      }
      io.out(
        result.alreadyRevoked
          ? `Token ${id} "${result.row.label}" was already revoked (${result.row.revokedAt!.toISOString()}).`
          : `Revoked token ${id} "${result.row.label}": it is refused from the next request on.`,
      );
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'a command is needed');
  }
}
