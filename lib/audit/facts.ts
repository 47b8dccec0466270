// What the audit rules look at, as plain data: read from /proc, cgroupfs and mountinfo by read.ts,
// or built from captured files in tests. Nothing here runs in or writes to the container.
import type { MountInfo } from '../parse/mountinfo.js';
import type { ProcStatus } from '../parse/proc-status.js';
import type { ContainerRuntime } from '../parse/container-id.js';
import type { NamespaceType } from '../namespaces.js';

/** A resource limit of the container's cgroup: the effective value and the file that shows it. */
export interface LimitFact {
  /** Effective limit (smallest along the ancestors); null = unlimited. Bytes, tasks or cores. */
  limit: number | null;
  /** The container's own limit file and what it says ('max', '-1', '9223372036854771712', ...). */
  file: string;
  value: string;
}

/** Everything the container rules decide on. */
export interface ContainerFacts {
  pid: number;
  /** The runtime that made the container, when the pid belongs to one; picks the capability baseline. */
  runtime?: ContainerRuntime;
  /** /proc/sys/kernel/cap_last_cap: the highest capability bit this kernel knows. */
  capLastCap: number;
  status: ProcStatus;
  /** Namespace inode of each type, the container's and the host's. */
  namespaces: Partial<Record<NamespaceType, number>>;
  hostNamespaces: Partial<Record<NamespaceType, number>>;
  /** Where the host's namespaces were read: '/proc/1/ns' (init), or '/proc/self/ns' when init's are not readable. */
  hostNamespacesFrom: string;
  lsm: {
    /** The major LSMs active on the host that label containers ('apparmor', 'selinux'). */
    host: string[];
    /** How the host's LSMs were found (/sys/kernel/security/lsm, /sys/module/apparmor/...). */
    hostFrom: string;
    /** The process's label (AppArmor profile 'docker-default (enforce)', SELinux context); null: none. */
    label: string | null;
    labelFile: string;
  };
  /** The container's mounts (/proc/PID/mountinfo) and the host's (the reader's own mountinfo). */
  mounts: MountInfo[];
  hostMounts: MountInfo[];
  /** Which of the /proc paths runtimes mask or make read-only exist on this kernel ('/proc/kcore', ...). */
  procPaths: string[];
  /** Runtime API sockets that exist on the host (real paths: '/run/docker.sock', ...). */
  hostSockets: string[];
  /** The v1 devices controller's list, or v2 (rules in a BPF program); undefined when not found. */
  devices?: { version: 1; file: string; list: string } | { version: 2 };
  limits: {
    memory?: LimitFact;
    pids?: LimitFact;
    /** CPU: the quota (cores) and the cpuset size against the host's CPUs. */
    cpu?: LimitFact & { cpuset: number; hostCpus: number };
  };
}
