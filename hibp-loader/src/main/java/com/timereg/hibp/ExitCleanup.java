package com.timereg.hibp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deletes temporary files if the JVM is stopped from outside (Ctrl-C's SIGINT, a job runner's SIGTERM), which
 * runs no finally block. Register it before the files exist (a stop between the two would leave them), and create
 * them through {@link #create}: shutdown hooks run while the other threads go on, so the hook and the creation take
 * turns under one lock, and once the hook has run nothing is created (a file created just after its delete would
 * stay).
 */
public final class ExitCleanup implements AutoCloseable {
  /** Creates files; may throw what creating them throws. */
  public interface Creation {
    void run() throws IOException;
  }

  private final Object lock = new Object();
  private final Thread hook;
  private boolean exiting;

  /** @param delete deletes the files, best effort (see {@link #deleteQuietly}) */
  public ExitCleanup(String name, Runnable delete) {
    this.hook = new Thread(() -> {
      synchronized (lock) {
        exiting = true;
        delete.run();
      }
    }, name);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Runs {@code creation} unless the JVM is already stopping (then fails, creating nothing). */
  public void create(Creation creation) throws IOException {
    synchronized (lock) {
      if (exiting) {
        throw new IOException("stopping: nothing more is written");
      }
      creation.run();
    }
  }

  /** Unregisters the hook once the files are dealt with; during shutdown it runs (or ran) anyway. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs (or ran) anyway.
    }
  }

  /** Deletes {@code path} if it exists, ignoring failures: best effort while the JVM exits. */
  public static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException | RuntimeException e) {
      // Best effort while the JVM exits.
    }
  }
}
