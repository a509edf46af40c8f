/*
 * LD_PRELOAD shim for bench/compare.sh: binds every IPv4 socket a program connects to the source
 * address in BIND_SOURCE_ADDRESS before the real connect(). wrk (and curl without --interface)
 * cannot choose a source address, but the gateway blocks by client address, so measuring how fast
 * it refuses a blocked client needs requests that really come from that client. On Linux every
 * address of 127.0.0.0/8 belongs to the loopback interface, so 127.0.9.9 needs no set-up.
 *
 * Build: gcc -shared -fPIC -O2 -o bindaddr.so bench/bindaddr.c -ldl
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  static connect_fn real_connect;
  if (!real_connect) {
    real_connect = (connect_fn)dlsym(RTLD_NEXT, "connect");
  }
  const char *source = getenv("BIND_SOURCE_ADDRESS");
  if (source && addr && addr->sa_family == AF_INET) {
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, source, &local.sin_addr) == 1) {
      int saved = errno;
      int one = 1;
      /* Let connect() pick the port, so many connections from one address do not exhaust ports. */
      setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      /* EINVAL: the socket is already bound (by the program itself); leave it as it is. */
      if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0 && errno != EINVAL) {
        return -1;
      }
      errno = saved;
    }
  }
  return real_connect(fd, addr, len);
}
