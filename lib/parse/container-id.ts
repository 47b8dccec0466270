// Which container a cgroup path belongs to, from the names runtimes give their cgroups. No runtime
// socket is asked: the cgroup path alone says the runtime, the id, and for Kubernetes the pod UID and
// QoS class. Paths are read from the deepest component up, so a sub-cgroup inside a container
// (`.../libpod-ID.scope/container`, `/docker/ID/init.scope`) still belongs to it, and the innermost
// container wins when containers are nested.

/** The runtimes nsjoin recognises from cgroup names. */
export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'lxc' | 'systemd-nspawn' | 'unknown';

/** Kubernetes QoS class of a pod, from its cgroup parent (kubepods/, burstable/, besteffort/). */
export type PodQos = 'guaranteed' | 'burstable' | 'besteffort';

/** What a cgroup path says about its container. */
export interface ContainerCgroupMatch {
  runtime: ContainerRuntime;
  /** The container id (64 hex digits for docker, containerd, cri-o, podman; the name for lxc and nspawn). */
  id: string;
  /** The container's own cgroup path: the given path cut after the container's component. */
  cgroup: string;
  /** For Kubernetes pods: the pod UID (with dashes, as the API shows it) and QoS class. */
  pod?: { uid: string; qos: PodQos };
}

const HEX_ID = '[0-9a-f]{32,64}';
// systemd scope names (driver 'systemd') and plain names (driver 'cgroupfs').
const NAMED: Array<[RegExp, ContainerRuntime]> = [
  [new RegExp(`^docker-(${HEX_ID})\\.scope$`), 'docker'],
  [new RegExp(`^cri-containerd-(${HEX_ID})\\.scope$`), 'containerd'],
  [new RegExp(`^nerdctl-(${HEX_ID})\\.scope$`), 'containerd'],
  [new RegExp(`^crio-(${HEX_ID})(?:\\.scope)?$`), 'cri-o'],
  [new RegExp(`^libpod-(${HEX_ID})(?:\\.scope)?$`), 'podman'],
];
const POD_CGROUPFS = /^pod([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const POD_SYSTEMD = /^kubepods(?:-(burstable|besteffort))?-pod([0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})\.slice$/;
const BARE_ID = new RegExp(`^${HEX_ID}$`);

/** systemd escapes unit names: '-' in a machine name is '\x2d'. */
function unescapeSystemd(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function podOf(parts: string[], upTo: number): ContainerCgroupMatch['pod'] {
  for (let i = upTo - 1; i >= 0; i--) {
    const name = parts[i]!;
    const sd = POD_SYSTEMD.exec(name);
    if (sd) return { uid: sd[2]!.replace(/_/g, '-'), qos: (sd[1] as PodQos | undefined) ?? 'guaranteed' };
    const fs = POD_CGROUPFS.exec(name);
    if (fs) {
      const parent = parts[i - 1];
      return { uid: fs[1]!, qos: parent === 'burstable' || parent === 'besteffort' ? parent : 'guaranteed' };
    }
  }
  return undefined;
}

/**
 * Recognises the container a cgroup path (as in /proc/PID/cgroup) belongs to, for the cgroupfs and
 * systemd layouts of docker (`/docker/ID`, `docker-ID.scope`), containerd (`cri-containerd-ID.scope`,
 * `nerdctl-ID.scope`), cri-o (`crio-ID`), podman (`libpod-ID`), Kubernetes (`/kubepods/QOS/podUID/ID`,
 * `kubepods-QOS-podUID.slice/RUNTIME-ID.scope`), lxc (`/lxc/NAME`, `/lxc.payload.NAME`) and
 * systemd-nspawn (`/machine.slice/machine-NAME.scope`). A bare id under a pod names no runtime
 * ('unknown'; containerd, docker and cri-o with cgroupfs all look alike). Pure.
 *
 * @returns the match, or undefined when the path is not a container's (conmon and lxc monitor
 *   cgroups included: they hold the runtime's helpers, not the container; libvirt's
 *   `machine-qemu…` scopes too: virtual machines)
 */
export function parseContainerCgroup(path: string): ContainerCgroupMatch | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = parts.length - 1; i >= 0; i--) {
    const name = parts[i]!;
    const parent = parts[i - 1];
    let runtime: ContainerRuntime | undefined;
    let id: string | undefined;
    for (const [re, rt] of NAMED) {
      const m = re.exec(name);
      if (m) {
        runtime = rt;
        id = m[1]!;
        break;
      }
    }
    if (!runtime && BARE_ID.test(name)) {
      if (parent === 'docker') runtime = 'docker';
      else if (parent !== undefined && (POD_CGROUPFS.test(parent) || POD_SYSTEMD.test(parent))) runtime = 'unknown';
      if (runtime) id = name;
    }
    if (!runtime && parent === 'lxc' && name !== '') {
      runtime = 'lxc';
      id = name;
    }
    if (!runtime && name.startsWith('lxc.payload.') && name.length > 'lxc.payload.'.length) {
      runtime = 'lxc';
      id = name.slice('lxc.payload.'.length);
    }
    const machine = /^machine-(.+)\.scope$/.exec(name);
    if (!runtime && machine && parent === 'machine.slice') {
      const machineName = unescapeSystemd(machine[1]!);
      // libvirt registers its QEMU/KVM guests with machined too (machine-qemu\x2dN\x2dNAME.scope):
      // a virtual machine, not a container. Its processes are QEMU's, on the host.
      if (machineName.startsWith('qemu-')) return undefined;
      runtime = 'systemd-nspawn';
      id = machineName;
    }
    if (runtime && id !== undefined) {
      const match: ContainerCgroupMatch = { runtime, id, cgroup: `/${parts.slice(0, i + 1).join('/')}` };
      const pod = podOf(parts, i);
      if (pod) match.pod = pod;
      return match;
    }
  }
  return undefined;
}
