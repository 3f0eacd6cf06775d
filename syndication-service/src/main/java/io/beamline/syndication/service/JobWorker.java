package io.beamline.syndication.service;

import io.beamline.syndication.RestreamJob;
import io.beamline.syndication.config.SyndicationConfig;
import io.quarkus.logging.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Pushes one restream job: asks stream-service for a pull URL, runs {@code ffmpeg -c copy} from it
 * to the target, reports {@code live} once ffmpeg's progress shows media reaching the target, and
 * retries with exponential backoff and jitter until the job succeeds, gives up or is stopped. Each
 * job has its own thread and process, so a dead or slow target holds up nothing else.
 */
final class JobWorker {

  /** Progress counters are written to the job row at most this often. */
  private static final long PROGRESS_WRITE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final UUID jobId;
  private final int partition;
  private final String owner;
  private final SyndicationConfig.Jobs config;
  private final List<String> launcher;
  private final JobTransitions transitions;
  private final PlatformClients clients;
  private final TargetAddressGuard guard;
  private final TargetKeys keys;
  private final Thread thread;
  private volatile boolean stopped;
  private volatile boolean finished;
  private volatile Process process;
  private volatile long bytesBefore;
  private volatile long pushedMsBefore;
  private volatile long runBytes;
  private volatile long runPushedMs;

  JobWorker(
      UUID jobId,
      int partition,
      String owner,
      SyndicationConfig.Jobs config,
      List<String> launcher,
      JobTransitions transitions,
      PlatformClients clients,
      TargetAddressGuard guard,
      TargetKeys keys) {
    this.keys = keys;
    this.jobId = jobId;
    this.partition = partition;
    this.owner = owner;
    this.config = config;
    this.launcher = launcher;
    this.transitions = transitions;
    this.clients = clients;
    this.guard = guard;
    this.thread = new Thread(this::run, "restream-" + jobId.toString().substring(0, 8));
    this.thread.setDaemon(true);
  }

  UUID jobId() {
    return jobId;
  }

  int partition() {
    return partition;
  }

  boolean finished() {
    return finished;
  }

  JobRunner.Counters counters() {
    return new JobRunner.Counters(bytesBefore + runBytes, pushedMsBefore + runPushedMs);
  }

  void start() {
    thread.start();
  }

  /** Kills the push (ffmpeg gets SIGTERM, then SIGKILL) and ends the thread; no state change. */
  void stop() {
    stopped = true;
    thread.interrupt();
    Process p = process;
    if (p != null) {
      p.destroy();
    }
  }

  void awaitEnd(long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
    }
  }

  private void run() {
    try {
      Optional<RestreamJob> found = transitions.find(jobId);
      if (found.isEmpty() || !found.get().active()) {
        return;
      }
      RestreamJob job = found.get();
      String key = keys.open(job);
      bytesBefore = job.bytesOut;
      pushedMsBefore = job.pushedMs;
      int attempt = job.attempt;
      int failures = 0;
      while (!stopped) {
        attempt++;
        if (!transitions.connecting(jobId, owner, attempt)) {
          return;
        }
        Outcome outcome;
        try {
          guard.check(job.url);
          PlatformClients.Egress egress = clients.egress(job.streamId, owner + "/" + jobId);
          outcome = push(job, key, egress.rtmpUrl(), attempt);
        } catch (TargetAddressGuard.BlockedTargetException e) {
          // A target that resolves to a forbidden address will not get better by retrying.
          transitions.failed(
              jobId, owner, attempt, false, e.reason(), e.getMessage(), counters().bytesOut(), 0);
          return;
        } catch (PlatformClients.NotLiveException e) {
          // Usually the stream just ended and its stream-ended event is on its way: give it a
          // moment, and leave quietly if the job was stopped meanwhile.
          sleep(Math.min(config.retryBase().toMillis(), 2_000));
          if (stopped || transitions.find(jobId).map(j -> !j.active()).orElse(true)) {
            return;
          }
          outcome = Outcome.failure("stream-not-live", e.getMessage());
        } catch (PlatformClients.UnavailableException | java.io.UncheckedIOException e) {
          outcome = Outcome.failure("stream-service-unavailable", e.getMessage());
        }
        bytesBefore += runBytes;
        pushedMsBefore += runPushedMs;
        runBytes = 0;
        runPushedMs = 0;
        if (stopped || outcome.quit) {
          return;
        }
        if (outcome.wentLive) {
          // It was pushing and ffmpeg ended: the served feed changed (failover), the stream ended
          // or the target dropped us. Ask for a pull URL again at once; the next attempt tells.
          failures = 0;
          transitions.progress(jobId, bytesBefore, pushedMsBefore);
          continue;
        }
        failures++;
        boolean retry = failures < config.maxAttempts();
        if (!transitions.failed(
            jobId,
            owner,
            attempt,
            retry,
            outcome.reason,
            TargetUrls.scrub(outcome.detail, key),
            bytesBefore,
            pushedMsBefore)) {
          return;
        }
        Log.infof(
            "restream job %s attempt %d failed (%s)%s",
            jobId, attempt, outcome.reason, retry ? ", retrying" : ", giving up");
        if (!retry) {
          return;
        }
        sleep(backoff(failures));
      }
    } catch (RuntimeException e) {
      Log.errorf(e, "restream job %s worker failed: %s", jobId, e.getMessage());
    } finally {
      finished = true;
      Process p = process;
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  /** Delay before attempt {@code failures + 1}: base doubling per failure, capped, jittered. */
  long backoff(int failures) {
    long base = config.retryBase().toMillis();
    long max = config.retryMax().toMillis();
    long delay = base;
    for (int i = 1; i < failures && delay < max; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, max);
    // Jitter (50-100 %): targets dropped together do not all come back at the same instant.
    return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      // stop() interrupts: the loop condition ends the worker.
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }

  /** One ffmpeg run from the pull URL to the target; returns when ffmpeg has exited. */
  private Outcome push(RestreamJob job, String streamKey, String pullUrl, int attempt) {
    String ioTimeoutMicros = Long.toString(config.ioTimeout().toNanos() / 1000);
    List<String> command = new ArrayList<>(launcher);
    command.add(config.ffmpeg());
    command.addAll(
        List.of(
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-rw_timeout",
            ioTimeoutMicros,
            "-i",
            pullUrl,
            "-map",
            "0",
            "-c",
            "copy",
            "-progress",
            "pipe:1",
            "-stats_period",
            "1",
            // Also on the output: a target that accepts the connection but never answers the
            // handshake, or stops reading, fails the push within the timeout instead of hanging.
            // (A target that drops the SYNs fails at ffmpeg's TCP connect timeout, 5 s.)
            "-rw_timeout",
            ioTimeoutMicros,
            "-f",
            TargetUrls.isSrt(job.url) ? "mpegts" : "flv",
            TargetUrls.withKey(job.url, streamKey)));
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      return Outcome.failure("ffmpeg-unavailable", e.getMessage());
    }
    process = p;
    if (stopped) {
      p.destroy();
    }
    Deque<String> errors = new ArrayDeque<>();
    Thread drain = new Thread(() -> drain(p, errors), thread.getName() + "-stderr");
    drain.setDaemon(true);
    drain.start();
    boolean wentLive = false;
    boolean quit = false;
    long lastWrite = System.nanoTime();
    long size = 0;
    long lastSize = 0;
    long frames = 0;
    long outTimeUs = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        int eq = line.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String key = line.substring(0, eq);
        String value = line.substring(eq + 1).strip();
        switch (key) {
          case "total_size" -> size = parse(value);
          case "frame" -> frames = parse(value);
          case "out_time_us" -> outTimeUs = parse(value);
          case "progress" -> {
            runBytes = size;
            runPushedMs = Math.max(0, outTimeUs / 1000);
            // Live only once the target keeps taking bytes (two reports, a second apart, with the
            // count growing) and media time moves: an open connection alone proves nothing.
            boolean moving = size > lastSize && lastSize > 0 && (frames > 0 || outTimeUs > 0);
            lastSize = size;
            if (!wentLive && moving) {
              wentLive = true;
              if (!transitions.live(jobId, owner, attempt)) {
                quit = true;
                p.destroy();
              } else {
                Log.infof("restream job %s live (attempt %d)", jobId, attempt);
              }
            } else if (System.nanoTime() - lastWrite > PROGRESS_WRITE_NANOS) {
              lastWrite = System.nanoTime();
              transitions.progress(jobId, bytesBefore + runBytes, pushedMsBefore + runPushedMs);
            }
          }
          default -> {}
        }
      }
    } catch (IOException e) {
      // The pipe closes when ffmpeg dies; its exit code says the rest.
    }
    int exit;
    try {
      exit = p.waitFor();
      drain.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
      p.destroyForcibly();
      return new Outcome(wentLive, true, "stopped", null);
    }
    String detail;
    synchronized (errors) {
      detail = String.join(" | ", errors);
    }
    return new Outcome(wentLive, quit, classify(detail, exit), detail.isEmpty() ? null : detail);
  }

  private static void drain(Process p, Deque<String> errors) {
    try (BufferedReader err =
        new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null) {
        synchronized (errors) {
          errors.addLast(line);
          if (errors.size() > 3) {
            errors.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // ffmpeg ended.
    }
  }

  /** A short, secret-free cause from ffmpeg's last error lines. */
  static String classify(String stderr, int exit) {
    String s = stderr == null ? "" : stderr.toLowerCase(Locale.ROOT);
    if (s.contains("connection refused")) {
      return "connection-refused";
    }
    if (s.contains("timed out") || s.contains("timeout")) {
      return "timeout";
    }
    if (s.contains("broken pipe") || s.contains("connection reset")) {
      return "connection-lost";
    }
    if (s.contains("name or service not known") || s.contains("failed to resolve")) {
      return "unresolvable-host";
    }
    if (s.contains("server error") || s.contains("rejected") || s.contains("404")) {
      return "target-rejected";
    }
    if (s.contains("input/output error") || s.contains("end of file")) {
      return "io-error";
    }
    return "ffmpeg-exit-" + exit;
  }

  private static long parse(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0; // "N/A" before the first packet
    }
  }

  /** How one attempt ended. */
  private record Outcome(boolean wentLive, boolean quit, String reason, String detail) {
    static Outcome failure(String reason, String detail) {
      return new Outcome(false, false, reason, detail);
    }
  }
}
