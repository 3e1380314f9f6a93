/* bigdir_peer.c: the peer side of bench/bigdir.sh: in DIR, create N empty files
 * "fNUMBER" (open O_CREAT|O_EXCL, close), then stat every one of them, and print the two
 * phases' wall times in seconds: "CREATE LOOKUP". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bigdir_peer DIR N\n");
    return 2;
  }
  if (chdir(argv[1]) != 0) {
    perror(argv[1]);
    return 1;
  }
  long n = atol(argv[2]);
  char name[32];
  double t0 = now();
  for (long i = 0; i < n; ++i) {
    snprintf(name, sizeof name, "f%ld", i);
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0 || close(fd) != 0) {
      perror(name);
      return 1;
    }
  }
  double t1 = now();
  struct stat st;
  for (long i = 0; i < n; ++i) {
    snprintf(name, sizeof name, "f%ld", i);
    if (stat(name, &st) != 0) {
      perror(name);
      return 1;
    }
  }
  double t2 = now();
  printf("%.3f %.3f\n", t1 - t0, t2 - t1);
  return 0;
}
