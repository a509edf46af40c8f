package com.timereg.gateway.accesslog;

/**
 * What the access log says about one request. Never a query string, a header value other than the
 * User-Agent, a token or a password: a path and a user agent are the only things a client chose. For a
 * request that could not be parsed as HTTP, only the peer's address, the status, the bytes and {@code via}
 * are known: the other fields are null (left out of the line).
 *
 * @param client the client address the gateway decided on (after trusted proxies), or the peer when the
 *     request was refused before that
 * @param method as sent
 * @param path the path as sent, without the query
 * @param protocol {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}; a version the gateway does not serve as sent
 *     (answered 505)
 * @param host the Host header or {@code :authority}; null when absent
 * @param status the status sent; {@code 499} when the client went away before its answer's head was sent (after
 *     that, the status sent, with the body bytes that went out)
 * @param bytes body bytes sent to the client
 * @param durationMicros from the request's head to its answer's end
 * @param user the login name of the request's session, null without one
 * @param customer the session's customer slug, null without one
 * @param authMethod how the session was established ({@code password}, {@code sso}), null without one
 * @param via {@code direct} (relayed in the connection), {@code router}, or {@code entry} (answered before
 *     routing: framing, host, block)
 * @param userAgent the User-Agent header, null when absent
 */
public record AccessEntry(String client, String method, String path, String protocol, String host, int status,
    long bytes, long durationMicros, String user, String customer, String authMethod, String via, String userAgent) {
}
