package io.beamline.syndication.support;

import static org.awaitility.Awaitility.await;

import io.beamline.devstack.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A plain nginx-rtmp server standing in for a partner platform (YouTube, Twitch): application
 * {@code partner} with {@code live on} and no callbacks. It can be killed and started again on the
 * same port to play a target that vanishes and comes back.
 */
public final class TestNginx implements AutoCloseable {

  private static final String MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

  private final Path dir;
  private final int port;
  private Process process;

  public TestNginx(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** A server on a free loopback port, in a directory under {@code target/}. */
  public static TestNginx onFreePort(String name) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "test-nginx", name).toAbsolutePath());
      return new TestNginx(dir, Ports.freePort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code rtmp://127.0.0.1:<port>/<app>}. */
  public String url(String app) {
    return "rtmp://127.0.0.1:" + port + "/" + app;
  }

  public synchronized TestNginx start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    String conf =
        "load_module "
            + MODULE
            + ";\n"
            + (root ? "user root;\n" : "")
            + "daemon off;\n"
            + "pid "
            + dir.resolve("nginx.pid")
            + ";\n"
            + "error_log stderr warn;\n"
            + "worker_processes 1;\n"
            + "events { worker_connections 256; }\n"
            + "rtmp {\n"
            + "  access_log off;\n"
            + "  server {\n"
            + "    listen 127.0.0.1:"
            + port
            + ";\n"
            + "    application partner { live on; }\n"
            + "  }\n"
            + "}\n";
    try {
      Path file = dir.resolve("nginx.conf");
      Files.writeString(file, conf);
      Files.createDirectories(dir.resolve("logs"));
      process =
          new ProcessBuilder("nginx", "-e", "stderr", "-p", dir + "/", "-c", file.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nginx.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    await("test nginx listening; see " + dir + "/nginx.log")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "test nginx did not start; see " + dir + "/nginx.log");
              }
              return Ports.isListening(Ports.LOOPBACK, port, 200);
            });
    return this;
  }

  /** Kills nginx and its worker at once, like a partner that vanishes. */
  public synchronized void kill() {
    if (process != null) {
      // Master first: killed before it, a worker would be respawned by the master, and the new
      // one would outlive it holding the port.
      List<ProcessHandle> workers = process.descendants().toList();
      process.destroyForcibly();
      workers.forEach(ProcessHandle::destroyForcibly);
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      await("port " + port + " closed after the kill")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !Ports.isListening(Ports.LOOPBACK, port, 100));
    }
  }

  @Override
  public void close() {
    kill();
  }
}
