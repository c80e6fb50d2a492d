// One writer per embedded data folder. PGlite has no lock of its own (its postmaster.pid says
// pid -42), and two processes on one folder corrupt it, so the process that opens a folder
// holds `<folder>/jiesu.lock` for as long as it has it open.
//
// The file says who holds it: pid, the process's start time (/proc/<pid>/stat, so a reused pid
// is not mistaken for the holder), the kernel's boot id, the host, the command, since when, the
// folder's inode (a lock copied along with the folder, by a backup or `cp -a`, is not the
// folder's) and, once `jiesu serve` listens, its URL. It appears whole (written aside, then
// hard-linked into place, which fails when the name exists) and goes on close and on exit.
// A lock left by a process that is gone (kill -9, a power cut) is taken over.
//
// Limits: the holder's liveness is checked on this machine only. A lock written by another host
// name on this kernel (another container sharing the volume) is respected as held, since its
// process cannot be seen from here; a folder on a network share used from two machines is not
// protected (PGlite does not belong on one).
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, relative, isAbsolute } from 'node:path';

export const LOCK_FILE = 'jiesu.lock';

export interface LockHolder {
  pid: number;
  /** Clock ticks since boot at which the process started (Linux), to tell a reused pid apart. */
  startTime?: string;
  boot?: string;
  host: string;
  command: string;
  since: string;
  nonce: string;
  /** Inode of the locked folder. */
  ino?: number;
  /** Where the holder serves the API (`jiesu serve`). */
  url?: string;
}

/** A second opener's failure: one bilingual line naming the holder and what to do. */
export class FolderLockedError extends Error {
  readonly code = 'EJIESULOCKED';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | null,
  ) {
    super(lockedMessage(dir, holder));
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  readonly file: string;
  release(): void;
}

const held = new Map<string, { holder: LockHolder; file: string }>();
let exitHook = false;

const readProc = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Field 22 (starttime) and field 3 (state) of /proc/<pid>/stat; the name in field 2 may hold spaces. */
function procStat(pid: number | 'self'): { state: string; startTime: string } | undefined {
  const s = readProc(`/proc/${pid}/stat`);
  if (!s) return undefined;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0]!, startTime: f[19]! };
}

const bootId = () => readProc('/proc/sys/kernel/random/boot_id')?.trim() || undefined;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const st = procStat(pid);
  return !st || (st.state !== 'Z' && st.state !== 'X'); // a zombie has ended
}

/** How this process is named in another opener's error: `jiesu serve …` or the script and its arguments. */
function commandLine(): string {
  const script = process.argv[1] ? basename(process.argv[1]) : 'node';
  const name = /^(jiesu(\.js)?|main\.js)$/.test(script) ? 'jiesu' : script;
  const line = [name, ...process.argv.slice(2)].join(' ');
  return line.length > 80 ? line.slice(0, 79) + '…' : line;
}

function parse(raw: string): LockHolder | null {
  try {
    const h = JSON.parse(raw) as LockHolder;
    return Number.isInteger(h.pid) && h.pid > 0 && typeof h.nonce === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Whether the recorded holder may still be using the folder (when unsure: yes). */
export function holderAlive(h: LockHolder, dir: string): boolean {
  if (h.ino !== undefined && h.ino !== statSync(dir).ino) return false; // copied along with the folder
  const boot = bootId();
  if (h.boot && boot && h.boot !== boot) return false; // this machine restarted since
  if (h.host !== hostname()) return true; // a process this machine cannot see
  if (!pidAlive(h.pid)) return false;
  const now = procStat(h.pid)?.startTime;
  return !(h.startTime && now && now !== h.startTime); // the pid now belongs to another process
}

/** Takes the folder's lock or throws FolderLockedError. The folder must exist. */
export function lockFolder(dir: string): FolderLock {
  const file = join(dir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    startTime: procStat('self')?.startTime,
    boot: bootId(),
    host: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    nonce: randomBytes(12).toString('hex'),
    ino: statSync(dir).ino,
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(file, JSON.stringify(me) + '\n', me.nonce)) return hold(file, me);
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    const holder = parse(raw);
    if (holder ? holderAlive(holder, dir) : Date.now() - statSync(file).mtimeMs < 5000) throw new FolderLockedError(dir, holder);
    removeStale(file, raw, me.nonce);
  }
  throw new FolderLockedError(dir, null);
}

/** Creates the lock whole: written under a private name, then linked into place (fails if it exists). */
function create(file: string, content: string, nonce: string): boolean {
  const tmp = `${file}.${nonce}.tmp`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // A file system without hard links: exclusive create (a reader may briefly see it empty).
    try {
      writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Moves a dead holder's lock out of the way, unless another opener replaced it meanwhile. */
function removeStale(file: string, raw: string, nonce: string) {
  const aside = `${file}.stale-${nonce}`;
  try {
    renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (readFileSync(aside, 'utf8') !== raw) {
    // Another opener took the stale lock over between our read and the rename: give it back.
    try {
      linkSync(aside, file);
    } catch {
      /* a third opener holds it now; the next attempt reads that */
    }
  }
  unlinkSync(aside);
}

function hold(file: string, me: LockHolder): FolderLock {
  held.set(file, { holder: me, file });
  if (!exitHook) {
    exitHook = true;
    // process.exit() and a normal end run 'exit' handlers; a kill -9 leaves a stale lock, taken over later.
    process.on('exit', () => {
      for (const h of held.values()) unlinkIfMine(h.file, h.holder.nonce);
    });
  }
  return {
    file,
    release() {
      if (held.get(file)?.holder !== me) return;
      held.delete(file);
      unlinkIfMine(file, me.nonce);
    },
  };
}

function unlinkIfMine(file: string, nonce: string) {
  try {
    if (parse(readFileSync(file, 'utf8'))?.nonce === nonce) unlinkSync(file);
  } catch {
    /* gone already */
  }
}

/** Records `url` in every folder lock this process holds (`jiesu serve`, once it listens). */
export function announceUrl(url: string) {
  for (const h of held.values()) {
    h.holder.url = url;
    const tmp = `${h.file}.${h.holder.nonce}.tmp`;
    writeFileSync(tmp, JSON.stringify(h.holder) + '\n');
    renameSync(tmp, h.file);
  }
}

const local = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('sv-SE');
};

function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel}` : dir;
}

function lockedMessage(dir: string, h: LockHolder | null): string {
  const d = shown(dir);
  const file = join(d, LOCK_FILE);
  if (!h)
    return `数据目录 ${d} 正由另一个进程打开；请稍后再试 (the data folder ${d} is being opened by another process; try again shortly, or delete ${file} if no jiesu process uses it)`;
  const where = h.host === hostname() ? '' : `，主机 ${h.host}`;
  const whereEn = h.host === hostname() ? '' : ` on host ${h.host}`;
  const server = h.url ?? 'http://127.0.0.1:3000';
  const zh = `数据目录 ${d} 正由进程 ${h.pid}（${h.command}${where}，自 ${local(h.since)} 起）使用；请先停止它，或用 --server ${server} 经由运行中的服务执行`;
  const en = `the data folder ${d} is in use by process ${h.pid} (${h.command}${whereEn}, since ${local(h.since)}): stop it first, or run the command through the running server with --server ${server} and an admin token in JIESU_TOKEN`;
  const stale = h.host === hostname() ? '' : `; if that process is gone, delete ${file}`;
  return `${zh} (${en}${stale})`;
}
