// Shopify global ids: gid://shopify/<Type>/<number>.

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

export function parseGid(id: unknown): { type: string; id: string } | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\/([^/?]+)/.exec(id);
  return m ? { type: m[1] ?? '', id: m[2] ?? '' } : undefined;
}

export function gidType(id: unknown): string | undefined {
  return parseGid(id)?.type;
}

/** The numeric tail of a gid (Shopify's legacyResourceId / REST id), as a string. */
export function legacyId(id: unknown): string | undefined {
  return parseGid(id)?.id;
}
