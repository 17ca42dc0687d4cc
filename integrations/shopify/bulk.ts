/**
 * Bulk query operations (docs/shopify-facts.md §2): start one, read its status, stream its JSONL result as whole
 * root objects. Backfills use these instead of paging, because bulk operations are not subject to the
 * per-query cost limit.
 */
import { TransientUpstreamError } from '../../domain/errors';
import { ShopifyRequestError } from '../../domain/errors';
import { BulkAssembler, bulkQueryShape } from './bulk-jsonl';

export type BulkOperationStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';

export interface BulkOperation {
  id: string;
  status: BulkOperationStatus;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  /** JSONL result; null until COMPLETED, and when the query matched nothing. Expires after 7 days. */
  url: string | null;
  partialDataUrl: string | null;
  query: string;
}

type Request = <T>(query: string, variables: Record<string, unknown>, opts: { estimatedCost: number }) => Promise<T>;

// groupObjects: children right after their parent (schema 2026-10: "only enable grouping if you depend
// on the grouped format") — we do: it lets readBulkJsonl stream whole orders without holding the file.
const START_BULK = `mutation LedgerlineBulkStart($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

const BULK_FIELDS = 'id status errorCode createdAt completedAt objectCount rootObjectCount url partialDataUrl query';
const BULK_STATUS = `query LedgerlineBulkStatus($id: ID!) { bulkOperation(id: $id) { ${BULK_FIELDS} } }`;

// docs/shopify-facts.md §1: each mutation costs 10; the status query is one object.
const MUTATION_COST = 10;
const STATUS_COST = 1;
// Shopify starts another bulk query only when the running one has ended; a minute is a fair wait.
const IN_PROGRESS_RETRY_MS = 60_000;

interface RawBulk extends Omit<BulkOperation, 'objectCount' | 'rootObjectCount'> {
  objectCount: string | number;
  rootObjectCount: string | number;
}

export async function startBulkQuery(request: Request, innerQuery: string): Promise<{ id: string; status: BulkOperationStatus }> {
  const data = await request<{
    bulkOperationRunQuery: {
      bulkOperation: { id: string; status: BulkOperationStatus } | null;
      userErrors: { field: string[] | null; message: string; code: string | null }[];
    };
  }>(START_BULK, { query: innerQuery }, { estimatedCost: MUTATION_COST });
  const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
  if (bulkOperation && userErrors.length === 0) return bulkOperation;
  const messages = userErrors.map((e) => e.message);
  const inProgress = userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS');
  return Promise.reject(
    new ShopifyRequestError(
      `Shopify did not start the bulk query: ${messages.join('; ') || 'no operation returned'}`,
      { userErrors },
      inProgress,
      inProgress ? IN_PROGRESS_RETRY_MS : undefined,
    ),
  );
}

export async function bulkStatus(request: Request, id: string): Promise<BulkOperation | null> {
  const data = await request<{ bulkOperation: RawBulk | null }>(BULK_STATUS, { id }, { estimatedCost: STATUS_COST });
  const op = data.bulkOperation;
  return op ? { ...op, objectCount: Number(op.objectCount), rootObjectCount: Number(op.rootObjectCount) } : null;
}

export interface ReadBulkOptions {
  /** Root objects to skip (those an earlier activity attempt already handled). */
  offset?: number;
  /** Root objects to yield at most. */
  limit?: number;
  /** The inner query the operation ran (BulkOperation.query); places connection nodes that lack an id. */
  query?: string;
  signal?: AbortSignal;
}

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  const chunks = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (err) {
        throw new TransientUpstreamError(`Downloading the bulk result broke off: ${(err as Error).message}`);
      }
      if (next.done) break;
      buffer += decoder.decode(next.value, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) yield line;
      }
    }
    const rest = (buffer + decoder.decode()).trim();
    if (rest) yield rest;
  } finally {
    // Stopping early (limit reached, a bad line) cancels the rest of the download.
    await chunks.return?.();
  }
}

/**
 * Streams the JSONL at `url` and yields root objects (orders) with their nested connections as
 * `{ nodes: [...] }`, skipping `offset` roots and stopping after `limit`.
 */
export async function* readBulkJsonl<T = Record<string, unknown>>(url: string, opts: ReadBulkOptions = {}): AsyncGenerator<T> {
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let res: Response;
  try {
    res = await fetch(url, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    throw new TransientUpstreamError(`Downloading the bulk result failed: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) {
    // The URL is signed and expires after 7 days (docs/shopify-facts.md §2): only a server error is worth retrying.
    throw new ShopifyRequestError(`Reading the bulk result failed with HTTP ${res.status}`, { status: res.status }, res.status >= 500);
  }
  const assembler = new BulkAssembler(opts.query ? bulkQueryShape(opts.query) : undefined);
  let roots = 0;
  let yielded = 0;
  for await (const line of lines(res.body as ReadableStream<Uint8Array>)) {
    // A child row names its parent (`"__parentId":` can only be a key: a string value's quotes would be
    // escaped), so rows of the roots before `offset` are counted without being parsed: a later chunk of
    // a large file skips the earlier ones cheaply.
    if (!line.includes('"__parentId":')) roots++;
    if (roots <= offset) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const done = assembler.push(row);
    if (done) {
      yield done as T;
      if (++yielded >= limit) return;
    }
  }
  const last = assembler.finish();
  if (last) yield last as T;
}
