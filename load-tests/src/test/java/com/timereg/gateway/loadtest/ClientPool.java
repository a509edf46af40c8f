package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.listFeeder;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;
import java.util.Map;

/**
 * Where one group of virtual users comes from, as the gateway sees it.
 *
 * <p>By default each virtual user binds its sockets to one address of the pool (Gatling's
 * {@code localAddresses}, taken round robin), which works wherever the load generator owns the
 * addresses: all of 127.0.0.0/8 on Linux loopback, or secondary addresses configured on a real
 * network interface. Against a gateway that sits behind a load balancer, set
 * {@code -DclientAddressHeader=X-Forwarded-For} instead: nothing is bound and each virtual user
 * sends its pool address in that header. The gateway believes the header only from peers in its
 * {@code client-address.trusted-proxies}, so add the load generator there (on a test deployment).
 *
 * @param addresses the pool; empty means one client, the generator's own address
 * @param header empty to bind addresses, else the header that carries them
 */
record ClientPool(List<String> addresses, String header) {
  static final String HEADER_PROPERTY = "clientAddressHeader";
  static final String SESSION_KEY = "clientAddress";

  static ClientPool of(List<String> addresses) {
    return new ClientPool(List.copyOf(addresses), Params.string(HEADER_PROPERTY, ""));
  }

  /**
   * The pool of {@code -Dsources} (LegitimateTraffic, ProxyThroughput, PasswordChange). A header without a pool
   * stops the run: there is no address to send in it, and the run would come from the generator's own address
   * without a word, one client however many users.
   */
  static ClientPool fromSources() {
    ClientPool pool = of(SourceAddresses.parse("sources", Params.string("sources", "")));
    if (pool.addresses.isEmpty() && !pool.header.isEmpty()) {
      throw new IllegalArgumentException("-D" + HEADER_PROPERTY + "=" + pool.header + " sends the addresses of"
          + " -Dsources, which is not set: every user would come from one address; give -Dsources too");
    }
    return pool;
  }

  /** Adds this pool's address handling to a protocol. */
  HttpProtocolBuilder applyTo(HttpProtocolBuilder protocol) {
    if (addresses.isEmpty()) {
      return protocol;
    }
    return header.isEmpty()
        ? protocol.localAddresses(addresses)
        : protocol.header(header, "#{" + SESSION_KEY + "}");
  }

  /** The first step of every scenario that uses this pool: a header address per virtual user. */
  ChainBuilder assign() {
    if (addresses.isEmpty() || header.isEmpty()) {
      return exec(session -> session);
    }
    List<Map<String, Object>> records = addresses.stream().map(a -> Map.<String, Object>of(SESSION_KEY, a)).toList();
    return feed(listFeeder(records).circular());
  }
}
