package com.timereg.gateway;

import com.timereg.gateway.cli.AdminCommand;
import com.timereg.gateway.config.ConfigException;
import com.timereg.gateway.config.GatewayConfig;
import com.timereg.gateway.edge.DevMode;
import com.timereg.gateway.edge.Gateway;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line entry point: {@code gateway [--config PATH] [--dev]} runs the gateway;
 * {@code gateway admin ...} talks to a running one's admin API ({@link AdminCommand}).
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Authentication gateway: TLS, login, throttling and reverse proxy in front of the backend.",
    subcommands = AdminCommand.class, versionProvider = Main.Version.class)
public final class Main implements Callable<Integer> {
  /** Exit status for an invalid configuration, distinct from a failure while starting. */
  public static final int EXIT_CONFIG = 2;

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** How long a stop asked for during the start waits for the start to end (each of its steps is bounded). */
  static final long START_WAIT_AT_STOP_SECONDS = 90;

  @Option(names = "--config", paramLabel = "PATH", description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path configFile = GatewayConfig.DEFAULT_FILE;

  @Option(names = "--dev", description = "Development mode: local PostgreSQL, demo customer, users and backend, self-signed TLS.")
  boolean dev;

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    System.exit(commandLine().execute(args));
  }

  /** The command line, every subcommand's {@code --version} answering as the gateway's own. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    sameVersion(cli, cli.getCommandSpec().versionProvider());
    return cli;
  }

  private static void sameVersion(CommandLine cli, CommandLine.IVersionProvider version) {
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(version);
      sameVersion(sub, version);
    }
  }

  @Override
  public Integer call() throws Exception {
    GatewayConfig config;
    try {
      config = GatewayConfig.load(configFile, System.getenv(), dev);
    } catch (ConfigException e) {
      System.err.println("gateway: " + e.getMessage());
      return EXIT_CONFIG;
    }
    LOG.info("configuration file {}", configFile.toAbsolutePath().normalize());
    // The hook is in place before the start: a SIGTERM while starting (an orchestrator giving up on a slow start)
    // lets the start finish and then stops it as any other, rather than exiting with the throttle maps open
    // (left to be recovered at the next start) and nothing released.
    java.util.concurrent.atomic.AtomicReference<AutoCloseable> started = new java.util.concurrent.atomic.AtomicReference<>();
    CountDownLatch startDone = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(shutdownHook(startDone, started, stopped));
    AutoCloseable running;
    try {
      if (dev) {
        DevMode devMode = DevMode.start(config, System.getenv());
        devMode.printBanner(System.out);
        running = devMode;
      } else {
        Gateway gateway = Gateway.start(config);
        running = gateway::stop;
      }
    } catch (Exception | Error e) {
      if (stopping()) {
        // A stop asked for during the start (Ctrl-C, SIGTERM) stops the local PostgreSQL and whatever else has an
        // exit hook, so the next step fails ("connection refused"): that is no failure to report as the cause.
        LOG.info("stopped while starting, as asked (the start then ended with: {})", firstLine(e));
        LOG.debug("start failure in detail", e);
        startDone.countDown();
        return 1;
      }
      // An Error too: Chronicle Map fails with one (ExceptionInInitializerError) when the JVM lacks the flags of
      // jvm.options, and that start deserves its line as much as any other. One line for the operator (a port in use, the database unreachable, a certificate unreadable): the
      // stack trace of the library that noticed it says nothing more to them, and is there at DEBUG.
      LOG.error("gateway failed to start: {}", firstLine(e));
      LOG.debug("start failure in detail", e);
      startDone.countDown();
      return 1;
    }
    started.set(running);
    startDone.countDown();
    stopped.await();
    return 0;
  }

  /**
   * The JVM's shutdown hook: once the start has ended (bounded), stops what {@code started} holds, then counts
   * {@code stopped} down, which the main thread waits on.
   */
  static Thread shutdownHook(CountDownLatch startDone,
      java.util.concurrent.atomic.AtomicReference<AutoCloseable> started, CountDownLatch stopped) {
    return new Thread(() -> {
      try {
        // Bounded: a start stuck for good must not make the process deaf to SIGTERM (it then exits as before).
        if (!startDone.await(START_WAIT_AT_STOP_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
          LOG.warn("stopping: the start has not ended within {} s; exiting without stopping it",
              START_WAIT_AT_STOP_SECONDS);
        }
        AutoCloseable running = started.get();
        if (running != null) {
          LOG.info("stopping");
          running.close();
        }
      } catch (Exception | Error e) {
        // An Error too (a class missing because the jar was replaced under the running process, an
        // OutOfMemoryError): uncaught, it went to stderr as a bare stack trace outside the log's format. The JVM
        // exits either way (the main thread waiting on `stopped` does not hold an exit), but it is one line here.
        LOG.warn("error while stopping: {}", e.toString());
      } finally {
        stopped.countDown();
      }
    }, "gateway-shutdown");
  }

  /** True once the JVM is exiting (a signal, System.exit): it then takes no shutdown hook any more. */
  private static boolean stopping() {
    Thread probe = new Thread(() -> { });
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException exiting) {
      return true;
    }
  }

  /** The version in the jar's manifest; classes run from a build directory have none and say so. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"gateway " + (version != null ? version : "(no version: not run from its jar)"),
          "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")"};
    }
  }

  /**
   * The first line of the first message along the causes (Flyway's go on with SQL state and error code; an
   * ExceptionInInitializerError has none of its own), or the class without any; and what to do when the JVM
   * was started without the gateway's flags.
   */
  static String firstLine(Throwable e) {
    String line = e.getClass().getName();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.isBlank()) {
        line = message.strip().lines().findFirst().orElse("").strip();
        break;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.lang.reflect.InaccessibleObjectException) {
        return line + " (start Java with the flags in gateway/target/jvm.options, as bin/gateway and the image do)";
      }
    }
    return line;
  }
}
