import fs from 'node:fs';
import path from 'node:path';

/**
 * Who owns a data folder's embedded PostgreSQL: the Kezek process that started it (and will stop
 * it). Recorded in `<dataDir>/owner.json`, so that another process can tell a cluster that is in
 * use (join it or refuse) from a leftover of a killed run (stop it and take over).
 *
 * A pid alone is not enough: after a crash or a reboot the same pid may belong to an unrelated
 * process. So the record also holds the process's start time (field 22 of /proc/<pid>/stat, in
 * clock ticks since boot) and the kernel's boot id; an owner counts as alive only while all three
 * still match. (Without /proc, e.g. on macOS, only the pid is checked.)
 */
export interface DataDirOwner {
  pid: number;
  /** /proc/<pid>/stat start time; null where /proc is not available. */
  startTicks: string | null;
  bootId: string | null;
  /** What the owner is, for messages: 'npm start', 'npm run seed', … */
  command: string;
  /** Whether other Kezek tools may use the owner's cluster while it runs (the server: yes). */
  shared: boolean;
  since: string;
}

export const OWNER_FILE = 'owner.json';

/** The start time of a process, or null when it is not running (or /proc is not available). */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function bootId(): string | null {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the recorded owner is still that same process. */
export function ownerIsAlive(owner: DataDirOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !isAlive(owner.pid)) return false;
  const boot = bootId();
  if (owner.bootId && boot && owner.bootId !== boot) return false;
  const ticks = processStartTicks(owner.pid);
  if (owner.startTicks && ticks && owner.startTicks !== ticks) return false;
  return true;
}

export function readOwner(dataDir: string): DataDirOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as DataDirOwner;
    return typeof owner?.pid === 'number' ? owner : null;
  } catch {
    return null; // absent, or unreadable (then it cannot name a live owner either)
  }
}

export type ClaimResult = { claimed: true; release(): void } | { claimed: false; owner: DataDirOwner };

/**
 * Records this process as the owner of `dataDir`, unless a live process already is (then that
 * owner is returned). The record is written completely to a private file first and then linked
 * into place: link() fails if the name exists, so two processes can never both claim it, and no
 * reader ever sees half a record. A record whose owner is gone is removed first.
 */
export function claimDataDir(dataDir: string, command: string, shared: boolean): ClaimResult {
  const file = path.join(dataDir, OWNER_FILE);
  const me: DataDirOwner = {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    bootId: bootId(),
    command,
    shared,
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(me) + '\n';
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file);
        return { claimed: true, release: () => releaseIfMine(file, text) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
      }
      const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const owner = readOwner(dataDir);
      if (owner && owner.pid === process.pid && owner.startTicks === me.startTicks) {
        // Claimed earlier by this very process (a cluster restarted in-process): still ours.
        return { claimed: true, release: () => releaseIfMine(file, current) };
      }
      if (owner && ownerIsAlive(owner)) return { claimed: false, owner };
      // The owner is gone. Remove its record only if it is still the one just judged stale.
      if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === current) fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function releaseIfMine(file: string, text: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/** "npm start (pid 123, since 18:40:02 UTC)" */
export function describeOwner(owner: DataDirOwner): string {
  const since = owner.since ? `, since ${owner.since.slice(11, 19)} UTC` : '';
  return `${owner.command} (pid ${owner.pid}${since})`;
}
