package io.beamline.syndication.service;

import io.beamline.syndication.RestreamJob;
import io.beamline.syndication.config.SyndicationConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs this instance's restream jobs: those of the streams whose Kafka partition this instance is
 * assigned. Every reconcile interval (or at once when nudged) it claims the active jobs of its
 * partitions, renews their lease, starts a worker for each job it owns and has not started, and
 * kills the worker of a job that was stopped or is owned elsewhere now.
 */
@ApplicationScoped
public class JobRunner {

  private final EntityManager em;
  private final SyndicationConfig config;
  private final JobTransitions transitions;
  private final PlatformClients clients;
  private final TargetAddressGuard guard;
  private final TargetKeys keys;
  private final String instanceId;
  private final List<String> launcher;
  private final Map<UUID, JobWorker> workers = new ConcurrentHashMap<>();
  private final Semaphore nudge = new Semaphore(0);
  private volatile Set<Integer> owned = Set.of();
  private final Set<Integer> pendingRelease = new HashSet<>();
  private volatile boolean running;
  private Thread thread;

  public JobRunner(
      EntityManager em,
      SyndicationConfig config,
      JobTransitions transitions,
      PlatformClients clients,
      TargetAddressGuard guard,
      TargetKeys keys) {
    this.keys = keys;
    this.em = em;
    this.config = config;
    this.transitions = transitions;
    this.clients = clients;
    this.guard = guard;
    this.instanceId = config.jobs().instanceId().orElseGet(JobRunner::defaultInstanceId);
    this.launcher = launcher(config.jobs().killWithParent());
  }

  /**
   * What ffmpeg is started through: {@code setpriv --pdeathsig KILL --} makes the kernel kill it
   * when the thread that started it (the job's worker) dies, so a SIGKILLed JVM leaves no push
   * running. ffmpeg itself ignores SIGPIPE and a closed {@code -progress} pipe, so it would not.
   */
  static List<String> launcher(boolean killWithParent) {
    if (!killWithParent) {
      return List.of();
    }
    boolean found =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(
                dir -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, "setpriv")));
    if (!found) {
      Log.warn(
          "setpriv (util-linux) is not on the PATH: ffmpeg pushes will outlive this JVM if it is"
              + " killed; install it or set beamline.syndication.jobs.kill-with-parent=false");
      return List.of();
    }
    return List.of("setpriv", "--pdeathsig", "KILL", "--");
  }

  /** Counters of a job's local worker (zero when it does not run here). */
  public record Counters(long bytesOut, long pushedMs) {}

  void start(@Observes StartupEvent ignored) {
    running = true;
    thread = new Thread(this::loop, "restream-jobs");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Kills this instance's ffmpeg processes without changing the jobs: they stay active, and the
   * next owner of their partitions takes them over.
   */
  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    nudge.release();
    workers.values().forEach(JobWorker::stop);
    workers.values().forEach(w -> w.awaitEnd(5_000));
    workers.clear();
  }

  public String instanceId() {
    return instanceId;
  }

  public boolean ownsPartition(int partition) {
    return owned.contains(partition);
  }

  /** The stream partitions Kafka assigned to this instance now. */
  public Set<Integer> ownedPartitions() {
    return owned;
  }

  /**
   * A rebalance starts: the partitions stop counting as owned (no claims), but their pushes go on
   * until the assignment says which ones really moved; with the eager protocol every rebalance
   * revokes everything, and most partitions come straight back.
   */
  public synchronized void revoking(Collection<Integer> partitions) {
    Set<Integer> next = new HashSet<>(owned);
    next.removeAll(partitions);
    owned = Set.copyOf(next);
    pendingRelease.addAll(partitions);
  }

  /**
   * The rebalance ended with {@code partitions} assigned: their jobs are claimed at once, and the
   * jobs of partitions that moved elsewhere are let go.
   */
  public synchronized void assigned(Collection<Integer> partitions) {
    Set<Integer> next = new HashSet<>(owned);
    next.addAll(partitions);
    owned = Set.copyOf(next);
    Set<Integer> moved = new HashSet<>(pendingRelease);
    moved.removeAll(partitions);
    pendingRelease.clear();
    release(moved);
    Log.infof("%s owns stream partitions %s", instanceId, owned);
    reconcileSoon();
  }

  /**
   * Partitions were lost without a rebalance (session expired, consumer closed): another instance
   * may own them already, so their workers are killed before anything else.
   */
  public synchronized void lost(Collection<Integer> partitions) {
    Set<Integer> next = new HashSet<>(owned);
    next.removeAll(partitions);
    owned = Set.copyOf(next);
    Set<Integer> all = new HashSet<>(partitions);
    all.addAll(pendingRelease);
    pendingRelease.clear();
    release(all);
  }

  /** Kills the workers of {@code partitions} and clears their jobs' owner (this instance). */
  private void release(Collection<Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    List<JobWorker> leaving =
        workers.values().stream().filter(w -> partitions.contains(w.partition())).toList();
    leaving.forEach(JobWorker::stop);
    leaving.forEach(w -> w.awaitEnd(5_000));
    leaving.forEach(w -> workers.remove(w.jobId()));
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createQuery(
                        "update RestreamJob j set j.owner = null, j.leaseUntil = null"
                            + " where j.owner = :me and j.partition in :partitions")
                    .setParameter("me", instanceId)
                    .setParameter("partitions", partitions)
                    .executeUpdate());
    Log.infof("%s let go of stream partitions %s", instanceId, partitions);
  }

  /** Asks for a reconcile now instead of at the next interval. */
  public void reconcileSoon() {
    nudge.release();
  }

  public Counters counters(UUID jobId) {
    JobWorker worker = workers.get(jobId);
    return worker == null ? new Counters(0, 0) : worker.counters();
  }

  private void loop() {
    while (running) {
      try {
        reconcile();
      } catch (RuntimeException e) {
        Log.warnf(e, "restream reconcile failed: %s", e.getMessage());
      }
      try {
        nudge.tryAcquire(config.jobs().reconcileInterval().toMillis(), TimeUnit.MILLISECONDS);
        nudge.drainPermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One pass: claim, renew, then start and kill workers to match the jobs this instance owns. */
  void reconcile() {
    Set<Integer> partitions = owned;
    Instant until = Instant.now().plus(config.jobs().lease());
    List<Object[]> mine =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  if (!partitions.isEmpty()) {
                    // A job taken over is not live here until this instance's ffmpeg pushes it:
                    // it shows as pending until then (the jobs API said "live" on the new owner
                    // before it had started anything, which a crash test caught).
                    int claimed =
                        em.createQuery(
                                "update RestreamJob j set j.owner = :me, j.leaseUntil = :until,"
                                    + " j.state = case when j.state in :running then :pending"
                                    + " else j.state end, j.updatedAt = :now"
                                    + " where j.state in :active and j.partition in :partitions"
                                    + " and (j.owner is null or j.owner <> :me)")
                            .setParameter("me", instanceId)
                            .setParameter("until", until)
                            .setParameter(
                                "running", List.of(RestreamJob.CONNECTING, RestreamJob.LIVE))
                            .setParameter("pending", RestreamJob.PENDING)
                            .setParameter("now", Instant.now())
                            .setParameter("active", RestreamJob.ACTIVE)
                            .setParameter("partitions", partitions)
                            .executeUpdate();
                    if (claimed > 0) {
                      Log.infof("%s claimed %d restream job(s)", instanceId, claimed);
                    }
                  }
                  em.createQuery(
                          "update RestreamJob j set j.leaseUntil = :until"
                              + " where j.owner = :me and j.state in :active")
                      .setParameter("me", instanceId)
                      .setParameter("until", until)
                      .setParameter("active", RestreamJob.ACTIVE)
                      .executeUpdate();
                  return em.createQuery(
                          "select j.id, j.partition from RestreamJob j where j.owner = :me"
                              + " and j.state in :active",
                          Object[].class)
                      .setParameter("me", instanceId)
                      .setParameter("active", RestreamJob.ACTIVE)
                      .getResultList();
                });
    Set<UUID> wanted = new HashSet<>();
    mine.forEach(row -> wanted.add((UUID) row[0]));
    for (JobWorker worker : List.copyOf(workers.values())) {
      if (!wanted.contains(worker.jobId())) {
        worker.stop();
        workers.remove(worker.jobId());
      } else if (worker.finished()) {
        // The worker gave up or crashed while the job is still wanted: start it again.
        workers.remove(worker.jobId());
      }
    }
    for (Object[] row : mine) {
      int partition = (Integer) row[1];
      workers.computeIfAbsent(
          (UUID) row[0],
          id -> {
            JobWorker worker =
                new JobWorker(
                    id,
                    partition,
                    instanceId,
                    config.jobs(),
                    launcher,
                    transitions,
                    clients,
                    guard,
                    keys);
            worker.start();
            return worker;
          });
    }
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "syndication";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
