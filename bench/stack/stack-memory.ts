/**
 * Processes and memory of the local stack as it runs now: for each service, every process of the
 * process group the stack started it in (and any descendant that left the group), with the sum of
 * their resident memory (VmRSS, which counts pages shared between a server's forked workers once per
 * process) and of their proportional set size (Pss, which shares such pages out, so it adds up).
 *
 * Usage: npx tsx bench/stack/stack-memory.ts   (the stack of this checkout, or of PRODCLASS_LOCAL_DIR)
 */
import fs from 'node:fs';
import { readStateIfAny, serviceNames } from '../../stack/state.js';

interface ProcessInfo {
  pid: number;
  parent: number;
  group: number;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), parent: Number(fields[1]), group: Number(fields[2]) });
    } catch {
      // exited while listed
    }
  }
  return found;
}

/** kB of a `Name:   123 kB` line of a /proc file, 0 when the process is gone. */
function kilobytes(file: string, name: string): number {
  try {
    return Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function members(leader: number, all: ProcessInfo[]): number[] {
  const chosen = new Set(
    all.filter((info) => info.group === leader || info.pid === leader).map((info) => info.pid),
  );
  for (let grew = true; grew; ) {
    grew = false;
    for (const info of all)
      if (!chosen.has(info.pid) && chosen.has(info.parent)) {
        chosen.add(info.pid);
        grew = true;
      }
  }
  return [...chosen];
}

const state = readStateIfAny();
if (!state) throw new Error('the stack has never been started here (npm run stack -- up)');
const all = processes();
const mb = (kB: number) => (kB / 1024).toFixed(0).padStart(7);
const totals = { processes: 0, rss: 0, pss: 0 };
console.log(`${'service'.padEnd(15)} processes  RSS (MB)  PSS (MB)`);
for (const name of serviceNames) {
  const leader = state.pids[name];
  const pids = leader ? members(leader, all) : [];
  const rss = pids.reduce((sum, pid) => sum + kilobytes(`/proc/${pid}/status`, 'VmRSS'), 0);
  const pss = pids.reduce((sum, pid) => sum + kilobytes(`/proc/${pid}/smaps_rollup`, 'Pss'), 0);
  totals.processes += pids.length;
  totals.rss += rss;
  totals.pss += pss;
  console.log(`${name.padEnd(15)} ${String(pids.length).padStart(9)}  ${mb(rss)}   ${mb(pss)}`);
}
console.log(
  `${'all'.padEnd(15)} ${String(totals.processes).padStart(9)}  ${mb(totals.rss)}   ${mb(totals.pss)}`,
);
