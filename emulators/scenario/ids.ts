// Deterministic ids for generated objects, far below the ids the emulator allocates itself.
export interface IdSource {
  next(): number;
}

export function createIds(start = 5_000_000_000): IdSource {
  let n = start;
  return { next: () => ++n };
}
