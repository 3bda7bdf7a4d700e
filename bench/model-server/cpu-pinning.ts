/**
 * Gives the server under test a CPU of its own: it runs on CPU 0, and the load generator (this
 * process) and the local stack's services run on the other CPUs. On a two-core machine, without
 * this, PostgreSQL or the load generator is now and then scheduled onto the server's core, which
 * costs the server its caches as well as the time. Both servers are measured the same way. A run
 * killed midway leaves the stack on the other CPUs until it is restarted (`npm run stack -- down`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export const serverCpu = 0;

function cpuList(cpus: number[]): string {
  return cpus.join(',');
}

function setAffinity(pid: number, cpus: number[]): void {
  // -a: every thread of the process, not only its main one.
  execFileSync('taskset', ['-a', '-p', '-c', cpuList(cpus), String(pid)], { stdio: 'ignore' });
}

/** The processes of process group `group` (each stack service runs in its own). */
function processGroupMembers(group: number): number[] {
  const members: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces: state, ppid, pgrp.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === group) members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

export interface CpuPinning {
  /** How the run was pinned, for the results. */
  description: string;
  /** `command args` to start a server on its own CPU. */
  serverCommand(command: string, args: string[]): { command: string; args: string[] };
  /** Moves one thread of a pinned server to the other CPUs, as a pod's threads may run on other cores. */
  moveThreadOff(threadId: number): void;
  /** Gives every pinned process all CPUs again. */
  restore(): void;
}

/** Pins this process and the given stack process groups off the server's CPU; a no-op on one CPU. */
export function pinOffServerCpu(stackProcessGroups: number[]): CpuPinning {
  const all = Array.from({ length: os.availableParallelism() }, (_, cpu) => cpu);
  if (all.length < 2) {
    return {
      description: 'none: one CPU, shared by the server, the load generator and the stack',
      serverCommand: (command, args) => ({ command, args }),
      moveThreadOff: () => undefined,
      restore: () => undefined,
    };
  }
  const others = all.filter((cpu) => cpu !== serverCpu);
  const pinned = [process.pid, ...stackProcessGroups.flatMap(processGroupMembers)];
  for (const pid of pinned) setAffinity(pid, others);
  return {
    description: `server under test on CPU ${serverCpu}; load generator and local stack on CPU ${cpuList(others)}`,
    serverCommand: (command, args) => ({
      command: 'taskset',
      args: ['-c', String(serverCpu), command, ...args],
    }),
    moveThreadOff(threadId) {
      // Without -a: this thread only.
      execFileSync('taskset', ['-p', '-c', cpuList(others), String(threadId)], { stdio: 'ignore' });
    },
    restore() {
      for (const pid of pinned) {
        try {
          setAffinity(pid, all);
        } catch {
          // The process has ended.
        }
      }
    },
  };
}
