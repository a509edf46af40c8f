package com.timereg.gateway.demo;

import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Command line of {@link DemoBackend}. */
@Command(name = "demo-backend", mixinStandardHelpOptions = true,
    description = "Runs the demo time-registration backend that the gateway proxies to.")
final class DemoBackendCommand implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port to listen on, 0 for any free port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--latency-ms", defaultValue = "0", description = "Milliseconds added before every response (default ${DEFAULT-VALUE}).")
  long latencyMs;

  @Option(names = "--response-bytes", defaultValue = "16384", description = "Size of GET /api/blob without ?size= (default ${DEFAULT-VALUE}).")
  long responseBytes;

  @Spec CommandSpec spec;

  private boolean started;

  @Override
  public Integer call() throws Exception {
    DemoBackend.Options options;
    try {
      options = new DemoBackend.Options(latencyMs, responseBytes);
    } catch (IllegalArgumentException e) {
      // A usage error (message, usage, exit 2) rather than picocli's stack trace for an exception from call().
      throw new ParameterException(spec.commandLine(), (latencyMs < 0 ? "--latency-ms: " : "--response-bytes: ")
          + e.getMessage());
    }
    Vertx vertx = Vertx.vertx();
    DemoBackend backend = new DemoBackend(vertx, options);
    int bound;
    try {
      bound = backend.start(host, port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      System.err.println("demo backend could not listen on " + host + ":" + port + ": " + rootMessage(e));
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // The JVM is exiting either way.
      }
    }, "demo-backend-shutdown"));
    System.out.println("demo backend listening on http://" + host + ":" + bound
        + " (latency " + latencyMs + " ms, blob " + responseBytes + " bytes)");
    started = true;
    return 0;
  }

  boolean started() {
    return started;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
