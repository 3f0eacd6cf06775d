package io.beamline.devstack;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child process of the dev stack: output appended to a log file, pid written to a pid file,
 * stopped with SIGTERM and, after a grace period, SIGKILL.
 */
final class ChildProcess {

  private final String name;
  private final ProcessHandle handle;
  private final Process process; // null when attached to a process started elsewhere
  private final Path logFile;
  private final Path pidFile;

  private ChildProcess(
      String name, ProcessHandle handle, Process process, Path logFile, Path pidFile) {
    this.name = name;
    this.handle = handle;
    this.process = process;
    this.logFile = logFile;
    this.pidFile = pidFile;
  }

  /**
   * Takes over a live process started earlier in this JVM (by another class loader, which Quarkus
   * uses per test profile); empty if it is gone.
   */
  static Optional<ChildProcess> attach(String name, long pid, Path logFile, Path pidFile) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(h -> new ChildProcess(name, h, null, logFile, pidFile));
  }

  /**
   * Starts {@code command}.
   *
   * @param pidFile where to write the pid; null for none
   */
  static ChildProcess start(
      String name,
      List<String> command,
      Path workDir,
      Map<String, String> env,
      Path logFile,
      Path pidFile) {
    FileSupport.createDirectories(logFile.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(workDir.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectOutput(Redirect.appendTo(logFile.toFile()));
    builder.redirectInput(Redirect.from(new java.io.File("/dev/null")));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new DevstackException("cannot start " + name + ": " + e.getMessage(), e);
    }
    if (pidFile != null) {
      FileSupport.write(pidFile, process.pid() + "\n");
    }
    return new ChildProcess(name, process.toHandle(), process, logFile, pidFile);
  }

  /** The java launcher of the running JVM, so children use the same Java. */
  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  String name() {
    return name;
  }

  long pid() {
    return handle.pid();
  }

  ProcessHandle handle() {
    return handle;
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return handle.isAlive();
  }

  Optional<Integer> exitCode() {
    return process == null || process.isAlive()
        ? Optional.empty()
        : Optional.of(process.exitValue());
  }

  /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
  void stop(Duration grace) {
    if (handle.isAlive()) {
      handle.destroy();
      if (!waitFor(grace)) {
        System.err.println(
            "[devstack] " + name + " did not stop within " + grace.toSeconds() + " s; killing it");
        kill();
        return;
      }
    }
    FileSupport.deleteQuietly(pidFile);
  }

  /** SIGKILL at once, as a crash would. */
  void kill() {
    handle.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
    FileSupport.deleteQuietly(pidFile);
  }

  /** A short description of why the process is gone, with the end of its log. */
  String deathReport() {
    return name
        + " exited with code "
        + exitCode().map(String::valueOf).orElse("unknown")
        + "; last lines of "
        + logFile
        + ":\n"
        + FileSupport.tail(logFile, 15);
  }

  private boolean waitFor(Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (process != null) {
        process.waitFor(); // reaps it and makes the exit code available
      }
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }
}
