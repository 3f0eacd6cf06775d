package io.beamline.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A packaged Quarkus service run as a real child process, which a test may kill and restart. */
final class ServiceProcess implements AutoCloseable {

  private final Path jar;
  private final Map<String, String> env;
  private final Path log;
  private final int port;
  private Process process;

  ServiceProcess(Path jar, int port, Map<String, String> env, Path log) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package the module first");
    }
    this.jar = jar;
    this.port = port;
    this.env = env;
    this.log = log;
  }

  ServiceProcess start() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Files.createDirectories(log.getParent());
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Waits until {@code /q/health/ready} answers 200, failing with the log's path. */
  ServiceProcess awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            jar + " exited with " + process.exitValue() + "; see " + log);
      }
      if (status("/q/health/ready") == 200) {
        return this;
      }
      try {
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(jar + " not ready within " + timeout + "; see " + log);
  }

  int status(String path) {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) URI.create(baseUrl() + path).toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      return connection.getResponseCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Sums a Prometheus metric's samples from {@code /q/metrics}; "n/a" when unreadable. */
  String metric(String name) {
    try (var in = URI.create(baseUrl() + "/q/metrics").toURL().openStream()) {
      double sum =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .lines()
              .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
              .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
              .sum();
      return Long.toString((long) sum);
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown hook, no final offset commit, exactly like a crashed node. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
  }
}
