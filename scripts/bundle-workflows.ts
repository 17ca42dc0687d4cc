/** `npm run build` step: prebundles the workflow code so production workers skip the start-up compile. */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundlePath } from '../worker/worker';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '..', 'workflows', 'index.ts') });
  fs.mkdirSync(path.dirname(workflowBundlePath), { recursive: true });
  fs.writeFileSync(workflowBundlePath, code);
  console.log(`workflow bundle written: ${workflowBundlePath} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
