/**
 * A real one-node Slurm cluster for the tests: munged, slurmctld and slurmd (Debian's
 * slurm-wlm 22.05 and munge) on localhost, with a generated slurm.conf, munge key and
 * state in a temp folder, on their own ports. Clients find it through SLURM_CONF. Returns
 * undefined, with the reason, where it cannot start (no packages, not root, …).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  env: Record<string, string>;
  dir: string;
  stop(): void;
}

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function readPid(path: string): number | undefined {
  const pid = existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) : NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function startSlurmCluster(): { cluster?: SlurmCluster; reason?: string } {
  for (const tool of ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue']) if (!have(tool)) return { reason: `${tool} is not installed (Debian: apt-get install slurm-wlm munge)` };
  if (process.getuid?.() !== 0) return { reason: 'the test cluster runs its daemons as root' };
  const dir = mkdtempSync(join(tmpdir(), 'madnis-slurm-'));
  const munge = join(dir, 'munge');
  for (const sub of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  chmodSync(munge, 0o700);
  writeFileSync(join(munge, 'munge.key'), Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), { mode: 0o400 });
  const socket = join(munge, 'munge.socket');
  const pids = { munged: join(munge, 'munged.pid'), slurmctld: join(dir, 'slurmctld.pid'), slurmd: join(dir, 'slurmd.pid') };
  const stop = () => {
    for (const pidFile of [pids.slurmd, pids.slurmctld, pids.munged]) {
      const pid = readPid(pidFile);
      if (pid) try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    }
    spawnSync('sleep', ['1']);
    rmSync(dir, { recursive: true, force: true });
  };
  const munged = spawnSync('munged', ['--force', `--key-file=${join(munge, 'munge.key')}`, `--socket=${socket}`, `--pid-file=${pids.munged}`,
    `--log-file=${join(munge, 'munged.log')}`, `--seed-file=${join(munge, 'munged.seed')}`], { encoding: 'utf8' });
  if (munged.status !== 0) {
    stop();
    return { reason: `munged did not start: ${munged.stderr.trim().split('\n')[0]}` };
  }
  const host = hostname().split('.')[0]!;
  const port = 17000 + (process.pid % 1000) * 2;
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=madnistest', `SlurmctldHost=${host}(127.0.0.1)`, 'SlurmUser=root', 'SlurmdUser=root',
    `SlurmctldPort=${port}`, `SlurmdPort=${port + 1}`, 'AuthType=auth/munge', `AuthInfo=socket=${socket}`, 'CredType=cred/munge',
    `StateSaveLocation=${join(dir, 'state')}`, `SlurmdSpoolDir=${join(dir, 'spool')}`, `SlurmctldPidFile=${pids.slurmctld}`, `SlurmdPidFile=${pids.slurmd}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`, `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none', 'SchedulerType=sched/backfill', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_CPU', 'MpiDefault=none',
    'ReturnToService=2', 'MinJobAge=3600', 'SchedulerParameters=sched_interval=1', 'KillWait=2',
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
    `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES`, '',
  ].join('\n'));
  const env = { SLURM_CONF: conf };
  const withEnv = { ...process.env, ...env };
  for (const daemon of [['slurmctld', '-i'], ['slurmd']]) {
    const started = spawnSync(daemon[0]!, daemon.slice(1), { env: withEnv, encoding: 'utf8' });
    if (started.status !== 0) {
      stop();
      return { reason: `${daemon[0]} did not start: ${started.stderr.trim().split('\n')[0]}` };
    }
  }
  // wait for the node to be idle
  for (let k = 0; k < 30; ++k) {
    const info = spawnSync('sinfo', ['-h', '-o', '%t'], { env: withEnv, encoding: 'utf8' });
    if (info.stdout.trim() === 'idle') return { cluster: { env, dir, stop } };
    spawnSync('sleep', ['1']);
  }
  const log = existsSync(join(dir, 'log', 'slurmd.log')) ? readFileSync(join(dir, 'log', 'slurmd.log'), 'utf8').trim().split('\n').slice(-1)[0] : '';
  stop();
  return { reason: `the node did not become idle in 30 s (${log})` };
}
