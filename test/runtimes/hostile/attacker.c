// What a hostile root process inside a container does to the host-side reader (test/runtimes/
// hostile-*.test.ts). Built static (`gcc -static`) and bind-mounted into a busybox container.
//
//   attacker swap A B      exchange the two paths with renameat2(RENAME_EXCHANGE) forever
//   attacker huge BYTES    make this process's cmdline and environ BYTES long (prctl
//                          PR_SET_MM_MAP over an anonymous mapping: no CAP_SYS_RESOURCE needed,
//                          allowed by docker's default seccomp profile), print "ready", sleep
//   attacker sleep         sleep forever
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int swap(const char *a, const char *b) {
  for (;;) {
    if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0) {
      perror("renameat2");
      return 1;
    }
  }
}

// Fields of /proc/self/stat after the ')' that ends comm: field N (1-based) is at index N - 3.
static unsigned long long field(char **f, int n) { return strtoull(f[n - 3], NULL, 10); }

static int huge(unsigned long bytes) {
  char buf[4096];
  int fd = open("/proc/self/stat", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (n <= 0) return perror("stat"), 1;
  buf[n] = 0;
  char *f[64];
  int count = 0;
  for (char *p = strrchr(buf, ')') + 2, *save = NULL, *t = strtok_r(p, " ", &save); t && count < 64; t = strtok_r(NULL, " ", &save)) f[count++] = t;
  if (count < 49) return fprintf(stderr, "short stat\n"), 1;
  char *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (region == MAP_FAILED) return perror("mmap"), 1;
  struct prctl_mm_map map = {
    .start_code = field(f, 26), .end_code = field(f, 27), .start_stack = field(f, 28),
    .start_data = field(f, 45), .end_data = field(f, 46), .start_brk = field(f, 47),
    .brk = (unsigned long)sbrk(0),
    .arg_start = (unsigned long)region, .arg_end = (unsigned long)region + bytes / 2,
    .env_start = (unsigned long)region + bytes / 2, .env_end = (unsigned long)region + bytes,
    .exe_fd = (unsigned)-1,
  };
  if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof map, 0) != 0) return perror("prctl PR_SET_MM_MAP"), 1;
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "swap") == 0) return swap(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "huge") == 0) return huge(strtoul(argv[2], NULL, 10));
  if (argc == 2 && strcmp(argv[1], "sleep") == 0) for (;;) pause();
  fprintf(stderr, "usage: attacker swap A B | huge BYTES | sleep\n");
  return 2;
}
