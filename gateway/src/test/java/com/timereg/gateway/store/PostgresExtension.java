package com.timereg.gateway.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Real PostgreSQL for tests: {@code @ExtendWith(PostgresExtension.class)}, then take a
 * {@link TestDatabase} parameter (constructor, {@code @BeforeAll}, {@code @BeforeEach} or test method).
 *
 * <p>One server per test JVM, started on first use and stopped by its shutdown hook: the server
 * from {@value DevDatabase#URL_ENV} when set, else a {@link LocalPostgres} under
 * {@code target/pg-test-<random>}, deleted when the JVM exits. Each test class gets its own database with the migrations
 * applied, so classes never see each other's rows; it is dropped after the class.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);
  private static DevDatabase server;

  /** The server of this JVM, started on first call. */
  static synchronized DevDatabase server() throws IOException {
    if (server == null) {
      Path dir = Path.of("target", "pg-test-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
      DevDatabase opened = DevDatabase.open(System.getenv(), dir);
      // Each run initialises a new cluster (~50 MB); without this, target/ fills up run by run.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAndDelete(opened, dir), "pg-test-cleanup"));
      server = opened;
    }
    return server;
  }

  /** Removes a directory tree, as far as it can; for test clusters that are no longer running. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void closeAndDelete(DevDatabase db, Path dir) {
    try {
      db.close();
      deleteTree(dir);
    } catch (IOException | RuntimeException e) {
      System.err.println("Could not remove test PostgreSQL in " + dir + ": " + e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    TestDatabase db = TestDatabase.forClass(server(), context.getRequiredTestClass());
    context.getStore(NAMESPACE).put(TestDatabase.class, db);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    TestDatabase db = context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
    if (db != null) {
      db.dropDatabases();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
  }
}
