// The exec floor: what running /bin/true in another process's namespaces costs at least, the
// same steps nsjoin takes, in C, from a small process (no heap, one thread). The bench builds it
// with cc into .cache/ and keeps it running; each request line on stdin is one spawn:
//   "PID 0\n"  clone(CLONE_VM|CLONE_VFORK) a joiner, setns(pidfd, uts|net|ipc|pid|mnt|cgroup),
//              clone(CLONE_VM|CLONE_VFORK|CLONE_PARENT) the program, execve /bin/true, wait both
//   "PID 1\n"  the same with the time namespace too: the joiner must be forked (the kernel refuses
//              to move a process that shares its mm into a time namespace)
// and the answer is one line: the nanoseconds it took (pidfd_open to the program reaped), or
// "E step errno". The pidfd is opened per spawn, as a pid-anchored spawn must.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define SIX (CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP)

static char joinerStack[64 * 1024] __attribute__((aligned(16)));
static char programStack[64 * 1024] __attribute__((aligned(16)));
static int pidfd, nsFlags;
static volatile pid_t programPid;
static volatile int failStep, failErrno;
static char *const argv[] = {"/bin/true", NULL};
static char *const envp[] = {"PATH=/usr/bin:/bin", NULL};

static int program(void *arg) {
  (void)arg;
  execve(argv[0], argv, envp);
  _exit(127);
}

static int joiner(void *arg) {
  (void)arg;
  if (setns(pidfd, nsFlags) != 0) { failStep = 1; failErrno = errno; _exit(1); }
  pid_t p = clone(program, programStack + sizeof programStack, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, NULL);
  if (p < 0) { failStep = 2; failErrno = errno; _exit(1); }
  programPid = p;
  _exit(0);
}

int main(void) {
  char line[64];
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    int pid = 0, time = 0;
    if (sscanf(line, "%d %d", &pid, &time) < 1) { printf("E parse 0\n"); continue; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    failStep = 0;
    programPid = 0;
    nsFlags = SIX | (time ? CLONE_NEWTIME : 0);
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) { printf("E pidfd_open %d\n", errno); continue; }
    int flags = (time ? 0 : CLONE_VM | CLONE_VFORK) | SIGCHLD;
    pid_t j = clone(joiner, joinerStack + sizeof joinerStack, flags, NULL);
    if (j < 0) { printf("E clone %d\n", errno); close(pidfd); continue; }
    int status;
    waitpid(j, &status, 0);
    close(pidfd);
    // A forked joiner cannot hand the program's pid back through memory: reap whatever child is left.
    if (time && WIFEXITED(status) && WEXITSTATUS(status) == 0) programPid = -1;
    if (failStep) { printf("E %s %d\n", failStep == 1 ? "setns" : "clone", failErrno); continue; }
    if (programPid == 0) { printf("E joiner %d\n", status); continue; }
    if (waitpid(programPid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      printf("E program %d\n", status);
      continue;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
  }
  return 0;
}
