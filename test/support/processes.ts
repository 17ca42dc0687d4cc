/** OS-process helpers for tests that spawn the real entry points: free ports, process trees. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(bound));
    });
  });
}

/** The kernel's ephemeral port range (Linux), where it picks the ports of outgoing connections and of listen(0). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: the IANA range.
  }
  return [49152, 65535];
}

/** Ports freePort has returned in this process. */
const handedOut = new Set<number>();

/**
 * A port free now, chosen below the kernel's ephemeral range: a port the kernel handed out and took back (listen(0))
 * is soon handed out again, to the next process that binds port 0 (the Temporal dev server binds several), so a
 * server started seconds later on it could find it taken. Falls back to the kernel's choice.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 15_000;
  if (low - floor > 1_000) {
    for (let i = 0; i < 50; i++) {
      const candidate = floor + Math.floor(Math.random() * (low - floor));
      // Never the same port twice in one process: callers take several before starting anything on them.
      if (handedOut.has(candidate)) continue;
      const port = await tryListen(candidate);
      if (port !== null) {
        handedOut.add(port);
        return port;
      }
    }
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** Every process below `pid` (children, their children, …). */
export function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const kids = out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
