// nsjoin audit: how well a container is isolated, seen from the host. Exit 0 when no finding reaches
// --fail-on, 1 when one does, 2 on an error (a bad argument, a target that cannot be read).
import { auditAll, auditContainer } from '../audit/container.js';
import { auditHost } from '../audit/host.js';
import { atLeast, SEVERITIES, type AuditReport, type Finding, type HostReport, type Severity } from '../audit/types.js';
import { parse, printJson, reportError, resolveCliTarget, UsageError } from './common.js';
import { escapeText } from './escape.js';

/** Usage of `nsjoin audit`. */
export const help = `Usage: nsjoin audit TARGET | --all | --host [--json] [--fail-on SEVERITY]

How well a container is isolated, seen from the host: capabilities, seccomp,
no_new_privs, uid, LSM, namespaces shared with the host, /proc and /sys,
host mounts and runtime sockets, device rules and cgroup limits. Nothing runs
in the container: /proc, the cgroup files and mountinfo are read. Needs root.

  TARGET   a pid or a container id prefix
  --all    every container on this host
  --host   the host itself: confidential computing, KVM TDX/SEV, lockdown,
           Yama ptrace_scope, unprivileged user namespaces, host-pid containers

Options:
      --json              print { target, findings, unknown } (--all: a list)
      --fail-on SEVERITY  exit 1 when a finding is at least this severe:
                          low, medium, high (default) or critical
  -h, --help              show this help

Exit status: 0 no finding reaches --fail-on, 1 one does, 2 an error.
`;

const refs = (f: Finding): string => (f.refs.length ? `  [${f.refs.join(' ')}]` : '');

function printFindings(findings: Finding[]): string {
  let out = '';
  for (const f of findings) {
    out += `  ${f.severity.toUpperCase().padEnd(9)}${f.id.padEnd(23)}${escapeText(f.title)}${refs(f)}\n`;
    for (const e of f.evidence) out += `${' '.repeat(34)}${escapeText(e)}\n`;
  }
  return out;
}

function summary(findings: Finding[]): string {
  const counts = [...SEVERITIES].reverse().map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`);
  return `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${counts.join(', ')}`;
}

function printReport(r: AuditReport): string {
  const c = r.target.container;
  const label = c ? `${c.id.slice(0, 12)} (${c.runtime}${c.name ? ` ${c.name}` : ''}, pid ${r.target.pid})` : `pid ${r.target.pid}`;
  let out = `${escapeText(label)}\n${printFindings(r.findings)}`;
  for (const u of r.unknown) out += `  ${'UNKNOWN'.padEnd(9)}${u.id.padEnd(23)}${escapeText(u.reason)}\n`;
  return `${out}  ${summary(r.findings)}\n`;
}

function hostPidList(list: HostReport['hostPidContainers'], max = 10): string {
  const shown = list
    .slice(0, max)
    .map(
      (t) =>
        `${t.container ? `${t.container.id.slice(0, 12)} (${t.container.runtime}${t.container.name ? ` ${t.container.name}` : ''}) ` : ''}pid ${t.pid}`,
    );
  return `${shown.join(', ')}${list.length > max ? `, ... and ${list.length - max} more` : ''}`;
}

function printHost(h: HostReport): string {
  const conf = h.confidential;
  const kvm = h.kvm;
  const kvmText = [
    ['tdx', kvm.tdx],
    ['sev', kvm.sev],
    ['sev-es', kvm.sevEs],
    ['sev-snp', kvm.sevSnp],
  ]
    .map(([k, v]) => `${k} ${v === null ? 'n/a' : v ? 'on' : 'off'}`)
    .join(', ');
  const lines = [
    `confidential guest:   ${conf.kind}${conf.evidence.length ? ` (${conf.evidence.join('; ')})` : ''}`,
    `  best-effort signals: ${conf.bestEffort.join('; ')}`,
    `KVM guests hosted:    ${kvmText}${kvm.evidence.length ? '' : ' (kvm_intel/kvm_amd not loaded)'}`,
    `kernel lockdown:      ${h.lockdown}${h.lockdown === 'unknown' ? ' (/sys/kernel/security/lockdown not readable: securityfs not mounted or no lockdown LSM)' : ''}`,
    `yama ptrace_scope:    ${h.ptraceScope ?? 'n/a (Yama not enabled)'}`,
    `unprivileged userns:  ${h.unprivilegedUserns.allowed ? 'allowed' : 'not allowed'} (${h.unprivilegedUserns.evidence.join('; ') || 'no sysctl restricts it'})`,
    `host-pid containers:  ${h.hostPidContainers.length === 0 ? 'none' : hostPidList(h.hostPidContainers)}`,
  ];
  return `${lines.map(escapeText).join('\n')}\n${printFindings(h.findings)}  ${summary(h.findings)}\n`;
}

function failOn(value: string | boolean | undefined): Severity {
  if (value === undefined) return 'high';
  if (typeof value === 'string' && ['low', 'medium', 'high', 'critical'].includes(value)) return value as Severity;
  throw new UsageError(`--fail-on needs low, medium, high or critical, got '${escapeText(String(value))}'`, "see 'nsjoin audit --help'");
}

/** Runs `nsjoin audit`; returns the exit status (0, 1, or 2 on an error). */
export function run(argv: string[]): number {
  try {
    const args = parse(
      argv,
      { json: { type: 'boolean' }, all: { type: 'boolean' }, host: { type: 'boolean' }, 'fail-on': { type: 'string' } },
      help,
      'audit',
    );
    if (!args) return 0;
    const floor = failOn(args.values['fail-on']);
    const modes = [args.positionals.length > 0, Boolean(args.values['all']), Boolean(args.values['host'])].filter(Boolean).length;
    if (modes !== 1 || args.positionals.length > 1)
      throw new UsageError('give one TARGET, or --all, or --host', "see 'nsjoin audit --help'");
    const json = Boolean(args.values['json']);
    let findings: Finding[];
    if (args.values['host']) {
      const report = auditHost();
      if (json) printJson(report);
      else process.stdout.write(printHost(report));
      findings = report.findings;
    } else if (args.values['all']) {
      const reports = auditAll();
      if (json) printJson(reports);
      else process.stdout.write(reports.length ? reports.map(printReport).join('\n') : 'no containers found\n');
      findings = reports.flatMap((r) => r.findings);
    } else {
      const target = resolveCliTarget(args.positionals[0], 'audit');
      const report = auditContainer(target.pid);
      if (json) printJson(report);
      else process.stdout.write(printReport(report));
      findings = report.findings;
    }
    return findings.some((f) => atLeast(f.severity, floor)) ? 1 : 0;
  } catch (err) {
    reportError(err);
    return 2;
  }
}
