package com.timereg.gateway.sso;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Resolves the client-secret references stored with customers: {@code env:NAME} from the gateway's
 * environment, {@code file:PATH} from a file (read asynchronously: this runs on an event loop).
 * Anything else is refused, so a secret pasted into the table by mistake is never sent anywhere.
 */
public final class SecretReferences {
  /** A file holding more than this is not a client secret. */
  static final int MAX_FILE_BYTES = 16 * 1024;

  private final Vertx vertx;
  private final Function<String, String> environment;
  private final SecretFilePlace place;

  /**
   * @param environment the gateway's environment variables (System::getenv in production)
   * @param place whether a {@code file:} secret may be read where it is (the key files' rule)
   */
  public SecretReferences(Vertx vertx, Function<String, String> environment, SecretFilePlace place) {
    this.vertx = vertx;
    this.environment = environment;
    this.place = place;
  }

  /** The secret, or a failed future whose message names the reference but never the value. */
  public Future<String> resolve(String reference) {
    if (reference.startsWith("env:")) {
      String value = environment.apply(reference.substring(4));
      // Whitespace alone is no secret: refused as an unset variable is, not sent to the provider.
      return value == null || value.isBlank()
          ? Future.failedFuture(new IllegalStateException("environment variable " + reference.substring(4)
              + (value == null || value.isEmpty() ? " is not set" : " holds only whitespace, no secret")))
          : Future.succeededFuture(value);
    }
    if (reference.startsWith("file:")) {
      String path = reference.substring(5);
      // Looked at before it is read: readFile reads to the end, on a worker thread. A named pipe would hold
      // that thread for ever (one more at each retry of the discovery, until no worker is left for anyone),
      // and /dev/zero or a huge file would fill the heap before the size below is ever checked.
      return vertx.fileSystem().props(path)
          .recover(e -> Future.failedFuture(new IllegalStateException("cannot read secret file " + path
              + " (" + e.getClass().getSimpleName() + ")")))
          .compose(props -> {
            if (!props.isRegularFile()) {
              return Future.failedFuture(new IllegalStateException("secret file " + path + " is not a regular file"));
            }
            if (props.size() > MAX_FILE_BYTES) {
              return Future.failedFuture(new IllegalStateException("secret file " + path + " is too large"));
            }
            // A file others could replace decides what is sent as the customer's secret: not read, as the start
            // refuses such a database password or signing key. Looked at on every read (a worker: the directories
            // above it are read too), so a chmod alone lets it in at the next discovery.
            return vertx.executeBlocking(() -> place.refusal(java.nio.file.Path.of(path)), false)
                .compose(refusal -> refusal.isPresent()
                    ? Future.failedFuture(new IllegalStateException(refusal.get()))
                    : vertx.fileSystem().readFile(path)
                        .recover(e -> Future.failedFuture(new IllegalStateException("cannot read secret file " + path
                            + " (" + e.getClass().getSimpleName() + ")"))));
          })
          .compose(buffer -> {
            if (buffer.length() > MAX_FILE_BYTES) {
              return Future.failedFuture(new IllegalStateException("secret file " + path + " is too large"));
            }
            // Files written by echo or an editor end with a newline that is not part of the secret.
            String value = buffer.toString(StandardCharsets.UTF_8).replaceFirst("\\r?\\n$", "");
            return value.isBlank()
                ? Future.failedFuture(new IllegalStateException("secret file " + path
                    + (value.isEmpty() ? " is empty" : " holds only whitespace, no secret")))
                : Future.succeededFuture(value);
          });
    }
    return Future.failedFuture(new IllegalStateException(
        "the client secret must be a reference env:NAME or file:PATH, not the secret itself"));
  }
}
