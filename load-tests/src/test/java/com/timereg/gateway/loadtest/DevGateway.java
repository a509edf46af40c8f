package com.timereg.gateway.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real gateway for the smoke: {@code bin/gateway --dev} as a separate process (which builds the
 * gateway first if its jar is missing or stale), on ports the OS chooses, with its own data
 * directory, so its PostgreSQL cluster, blocks and certificate start empty.
 */
final class DevGateway implements AutoCloseable {
  /** Printed on standard output once the demo users exist, with the listener's address. */
  private static final Pattern PUBLIC = Pattern.compile("https://localhost:(\\d+)/");
  private static final String READY = "Gateway (dev mode) is running";

  private final Process process;
  private final int publicPort;
  private final Path log;

  private DevGateway(Process process, int publicPort, Path log) {
    this.process = process;
    this.publicPort = publicPort;
    this.log = log;
  }

  /**
   * @param dataDir created if missing; must be empty or hold a previous smoke's state
   * @param log the gateway's own log (its standard error) goes here
   */
  static DevGateway start(Path projectRoot, Path dataDir, Path log, Duration timeout) throws Exception {
    Files.createDirectories(dataDir);
    ProcessBuilder pb = new ProcessBuilder(projectRoot.resolve("bin/gateway").toString(), "--dev")
        .directory(projectRoot.toFile())
        .redirectError(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("GATEWAY_DATA_DIR", dataDir.toAbsolutePath().toString());
    env.put("GATEWAY_PUBLIC__HOST", "127.0.0.1");
    env.put("GATEWAY_PUBLIC__PORT", "0");
    env.put("GATEWAY_ADMIN__PORT", "0");
    Process p = pb.start();
    CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> readBanner(p));
    try {
      return new DevGateway(p, port.get(timeout.toMillis(), TimeUnit.MILLISECONDS), log);
    } catch (TimeoutException | ExecutionException e) {
      stop(p);
      throw new IllegalStateException("bin/gateway --dev did not come up within " + timeout
          + "; the end of its log " + log + ":\n" + tail(log, 30), e);
    } catch (InterruptedException e) {
      // Nobody else holds the process yet: left running, it would keep its PostgreSQL and ports past the run.
      stop(p);
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  /** The listener's port, from the banner; keeps draining standard output afterwards. */
  private static int readBanner(Process p) {
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      boolean ready = false;
      String line;
      while ((line = out.readLine()) != null) {
        if (line.contains(READY)) {
          ready = true;
        }
        Matcher m = PUBLIC.matcher(line);
        if (ready && m.find()) {
          int port = Integer.parseInt(m.group(1));
          Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "dev-gateway-stdout");
          drain.setDaemon(true);
          drain.start();
          return port;
        }
      }
      throw new IllegalStateException("bin/gateway --dev ended (exit " + p.waitFor() + ") before it was ready");
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  String baseUrl() {
    return "https://127.0.0.1:" + publicPort;
  }

  String logTail(int lines) {
    return tail(log, lines);
  }

  @Override
  public void close() {
    stop(process);
  }

  /**
   * SIGTERM first: the gateway's shutdown hook stops its PostgreSQL. Then whatever the process started and
   * left behind: before the gateway runs, bin/gateway may be building it with Maven, and a SIGTERM ends the
   * script but not that build.
   */
  private static void stop(Process p) {
    List<ProcessHandle> started = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle child : started) {
        if (child.isAlive()) {
          child.destroy();
          child.onExit().get(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      started.forEach(ProcessHandle::destroyForcibly);
    } catch (ExecutionException | TimeoutException e) {
      started.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
