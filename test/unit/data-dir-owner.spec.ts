// The data folder's owner record: a live owner is never taken over, a gone one (dead, or its pid
// reused by another process) is, and only the owner's own record is released.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDataDir, OWNER_FILE, ownerIsAlive, processStartTicks, readOwner } from '../../src/db/data-dir-owner.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-owner-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const writeOwner = (dir: string, owner: object) => fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));

describe('claimDataDir', () => {
  it('records this process with its start time, and releases only its own record', () => {
    const dir = freshDir();
    const claim = claimDataDir(dir, 'npm start', true);
    expect(claim.claimed).toBe(true);
    expect(readOwner(dir)).toMatchObject({ pid: process.pid, startTicks: processStartTicks(process.pid), command: 'npm start', shared: true });
    expect(fs.readdirSync(dir)).toEqual([OWNER_FILE]); // the private file it was linked from is gone
    if (claim.claimed) claim.release();
    expect(fs.existsSync(path.join(dir, OWNER_FILE))).toBe(false);
  });

  it('refuses while the recorded owner runs, naming it', async () => {
    const dir = freshDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((resolve) => other.once('spawn', resolve));
    try {
      writeOwner(dir, { pid: other.pid, startTicks: processStartTicks(other.pid!), bootId: null, command: 'npm start', shared: true, since: new Date().toISOString() });
      const claim = claimDataDir(dir, 'npm run seed', false);
      expect(claim).toMatchObject({ claimed: false, owner: { pid: other.pid, command: 'npm start' } });
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over from an owner that is gone, or whose pid now belongs to another process', () => {
    const dir = freshDir();
    // A pid that exists but started at another time: reused since the owner died.
    const reused = { pid: process.ppid, startTicks: '1', bootId: null, command: 'npm start', shared: true, since: '2026-12-01T10:00:00.000Z' };
    expect(ownerIsAlive(reused)).toBe(false);
    writeOwner(dir, reused);
    const claim = claimDataDir(dir, 'npm start', true);
    expect(claim.claimed).toBe(true);
    expect(readOwner(dir)?.pid).toBe(process.pid);
    if (claim.claimed) claim.release();

    writeOwner(dir, { ...reused, pid: 2 ** 22 + 7, startTicks: null }); // beyond pid_max: never running
    expect(claimDataDir(dir, 'npm start', true).claimed).toBe(true);
  });
});
