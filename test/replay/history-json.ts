/**
 * History ⇄ JSON, through the SDK's own `historyToJSON` / `historyFromJSON`
 * (@temporalio/common/lib/proto-utils), with one workaround. Those functions hand a reflected type of
 * @temporalio/proto's protobuf root to the protobufjs that @temporalio/common resolves. In an install
 * where npm could not hoist protobufjs 8 (here @grpc/proto-loader pins ^7 at the top level, so
 * @temporalio/common and @temporalio/proto each get a private copy of 8.x), that is a different
 * module instance and protobufjs rejects it: "TypeError: type must be a Type". Then the same
 * conversion runs with the protojson of the protobufjs copy @temporalio/proto itself is built on.
 * In a deduplicated install the SDK's functions run unchanged.
 */
import { createRequire } from 'node:module';
import * as sdk from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export type History = sdk.History;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

let fallback: { protojson: ProtoJson; historyType: unknown } | undefined;
function protoJson(): { protojson: ProtoJson; historyType: unknown } {
  if (!fallback) {
    const fromProto = createRequire(require.resolve('@temporalio/proto'));
    const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
    // The CommonJS module object itself (an ESM namespace wrapper, as vitest makes of `import *`, is no protobuf root).
    const root = fromProto('@temporalio/proto') as Record<string, unknown>;
    const historyType = (patchProtobufRoot(root) as unknown as { lookupType(name: string): unknown }).lookupType(
      'temporal.api.history.v1.History',
    );
    fallback = { protojson, historyType };
  }
  return fallback;
}

const isTypeMismatch = (err: unknown) => err instanceof TypeError && err.message === 'type must be a Type';

export function historyToJSON(history: History): string {
  try {
    return sdk.historyToJSON(history);
  } catch (err) {
    if (!isTypeMismatch(err)) throw err;
    const { protojson, historyType } = protoJson();
    return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
  }
}

export function historyFromJSON(json: unknown): History {
  try {
    return sdk.historyFromJSON(json);
  } catch (err) {
    if (!isTypeMismatch(err)) throw err;
    const { protojson, historyType } = protoJson();
    return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
  }
}
