package io.beamline.devstack.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus service ({@code target/quarkus-app/quarkus-run.jar}) run as a real child
 * process, which a test may SIGKILL and start again: crash tests of the services' own instances.
 */
public final class ServiceProcess implements AutoCloseable {

  /** Small and quick to start: what a test instance needs, not what production runs with. */
  public static final List<String> TEST_JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final Path jar;
  private List<String> jvmOptions = TEST_JVM_OPTIONS;
  private final Map<String, String> env;
  private final Path log;
  private final int port;
  private Process process;

  /**
   * @param port the HTTP port ({@code QUARKUS_HTTP_PORT}, on loopback)
   * @param env the service's configuration, added to this JVM's environment
   * @param log where the process's output goes (appended)
   */
  public ServiceProcess(Path jar, int port, Map<String, String> env, Path log) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package the module first");
    }
    this.jar = jar;
    this.port = port;
    this.env = env;
    this.log = log;
  }

  /** The packaged jar of a module of this repository, from a test's working directory. */
  public static Path jarOf(Path repoDir, String module) {
    return repoDir.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
  }

  /** Replaces {@link #TEST_JVM_OPTIONS} for this process (before {@link #start()}). */
  public ServiceProcess jvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  public ServiceProcess start() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    builder.environment().putIfAbsent("QUARKUS_HTTP_HOST", "127.0.0.1");
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
  public ServiceProcess awaitReady(Duration timeout) {
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

  /** The HTTP status of a GET of {@code path}, or -1 when nothing answers. */
  public int status(String path) {
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

  /** The body of {@code /q/health/ready} when it answers 200, else null. */
  public String readiness() {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) URI.create(baseUrl() + "/q/health/ready").toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      if (connection.getResponseCode() != 200) {
        return null;
      }
      try (var in = connection.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      return null;
    }
  }

  /** Sums a Prometheus metric's samples from {@code /q/metrics}; "n/a" when unreadable. */
  public String metric(String name) {
    try (var in = URI.create(baseUrl() + "/q/metrics").toURL().openStream()) {
      double sum =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
              .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
              .sum();
      return Long.toString((long) sum);
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public ProcessHandle handle() {
    return process.toHandle();
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** SIGKILL: no shutdown hook, no final offset commit, exactly like a crashed node. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Stops it gracefully (SIGTERM), then kills it if it has not ended within 15 s. */
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
