package io.beamline.devstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lifecycle every infrastructure process started as a child JVM shares: launch, graceful stop,
 * crash-like kill, clean-up of temporary data, and attaching to a copy started by another class
 * loader.
 */
public abstract class ManagedProcess implements AutoCloseable {

  protected final String name;
  protected final Path dataDir;
  protected final boolean temporary;
  protected final Path logFile;
  protected final Path pidFile;
  private final Duration stopGrace;
  protected ChildProcess process;

  /**
   * @param name short name, used for the pid file, log file and messages
   * @param dataDir the data directory, or null for a temporary one deleted on {@link #close()}
   * @param logFile the log file, or null for {@code <dataDir>/<name>.log}
   * @param runDir where the pid file goes, or null for none
   * @param stopGrace how long {@link #stop()} waits after SIGTERM before SIGKILL
   */
  protected ManagedProcess(
      String name, Path dataDir, Path logFile, Path runDir, Duration stopGrace) {
    this.name = name;
    this.temporary = dataDir == null;
    this.dataDir =
        temporary ? FileSupport.tempDirectory("beamline-" + name + "-") : dataDir.toAbsolutePath();
    this.logFile = logFile != null ? logFile.toAbsolutePath() : this.dataDir.resolve(name + ".log");
    this.pidFile = runDir != null ? runDir.toAbsolutePath().resolve(name + ".pid") : null;
    this.stopGrace = stopGrace;
  }

  /** Starts the process and waits until it is ready; does nothing if it runs already. */
  public abstract ManagedProcess start();

  /** The port clients reach it on. */
  public abstract int port();

  /**
   * Starts {@code command} and waits with {@code awaitReady}; a process that does not become ready
   * is killed so no half-started child survives the failure.
   */
  protected final void launch(List<String> command, Runnable awaitReady) {
    process = ChildProcess.start(name, command, dataDir, Map.of(), logFile, pidFile);
    Cleanup.register(this, name, temporary ? this::close : this::stop);
    try {
      awaitReady.run();
    } catch (RuntimeException e) {
      process.kill();
      throw e;
    }
  }

  /** Stops the process gracefully (SIGTERM, then SIGKILL after the grace period). Data is kept. */
  public synchronized void stop() {
    if (process != null) {
      process.stop(stopGrace);
      process = null;
    }
    Cleanup.unregister(this);
  }

  /** Kills the process with SIGKILL at once, as a crash would. Data is kept. */
  public synchronized void kill() {
    if (process != null) {
      process.kill();
      process = null;
    }
    Cleanup.unregister(this);
  }

  /** Stops the process and, if its data directory was temporary, deletes it. */
  @Override
  public synchronized void close() {
    if (temporary) {
      kill();
      FileSupport.deleteRecursively(dataDir);
    } else {
      stop();
    }
  }

  /**
   * Takes over a running process that was started with these same settings earlier in this JVM,
   * e.g. by a copy of the class in another class loader (Quarkus uses one per test profile). The
   * original owner still stops it when the JVM exits.
   *
   * @return false if {@code pid} is not alive
   */
  public synchronized boolean attach(long pid) {
    if (isRunning()) {
      return process.pid() == pid;
    }
    process = ChildProcess.attach(name, pid, logFile, pidFile).orElse(null);
    return process != null;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The process, if it runs. */
  public synchronized Optional<ProcessHandle> processHandle() {
    return isRunning() ? Optional.of(process.handle()) : Optional.empty();
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return logFile;
  }
}
