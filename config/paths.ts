import fs from 'node:fs';
import path from 'node:path';

/** The repository (or install) root: the nearest folder above this file holding package.json; works from source and from dist/. */
export const repoRoot: string = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
