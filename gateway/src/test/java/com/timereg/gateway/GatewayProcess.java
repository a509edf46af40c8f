package com.timereg.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Starts the packaged gateway (target/gateway.jar, as bin/gateway and the image run it) as a real
 * child process, for tests of exit codes, signals and restarts. Only for *IT tests, which run
 * after `package`.
 */
public final class GatewayProcess {
  private GatewayProcess() {}

  public static Path moduleDir() {
    return Path.of("").toAbsolutePath();
  }

  public static ProcessBuilder builder(Map<String, String> env, String... args) throws IOException {
    Path target = moduleDir().resolve("target");
    Path jar = target.resolve("gateway.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " missing: *IT tests run after `mvn package`");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(Files.readString(target.resolve("jvm.options")).trim().split("\\s+")));
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    return pb;
  }
}
