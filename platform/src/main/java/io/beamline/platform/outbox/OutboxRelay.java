package io.beamline.platform.outbox;

import io.beamline.events.CloudEventAttributes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.hibernate.jpa.HibernateHints;

/**
 * Publishes committed outbox rows to Kafka in insertion order and marks them published only after
 * the broker acknowledged them.
 *
 * <p>Several instances of a service may run the relay: a PostgreSQL advisory lock held for the
 * relay transaction lets exactly one of them publish at a time, which also keeps per-key order.
 */
@ApplicationScoped
public class OutboxRelay {

  /** Advisory lock id ("beam" in ASCII); each service has its own database, so no clash. */
  static final long RELAY_LOCK = 0x6265616dL;

  private final EntityManager entityManager;
  private final OutboxProducer producer;
  private final OutboxConfig config;
  private final Counter published;
  private final Counter failed;
  private ScheduledExecutorService executor;

  // Only touched by the thread that holds the relay lock's transaction (the relay's own, or a
  // test's direct relayBatch call); volatile for the hand-over between them.
  private volatile long highestPublished = -1;
  private volatile long lastWholeScanNanos;

  public OutboxRelay(
      EntityManager entityManager,
      OutboxProducer producer,
      OutboxConfig config,
      MeterRegistry registry) {
    this.entityManager = entityManager;
    this.producer = producer;
    this.config = config;
    this.published = registry.counter("beamline.outbox.published");
    this.failed = registry.counter("beamline.outbox.failed");
    registry.gauge("beamline.outbox.pending", this, OutboxRelay::pendingSafely);
  }

  /**
   * Runs the relay on its own thread: Quarkus' scheduler does not go below one second, and event
   * latency should not be bounded by that.
   */
  void start(@Observes StartupEvent ignored) {
    if (!config.relayEnabled()) {
      Log.info("outbox relay disabled on this instance");
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "outbox-relay");
              thread.setDaemon(true);
              return thread;
            });
    long interval = Math.max(10, config.pollInterval().toMillis());
    executor.scheduleWithFixedDelay(this::tickSafely, 1000, interval, TimeUnit.MILLISECONDS);
  }

  /** Stops relaying before the datasource closes, finishing the batch in flight. */
  void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent ignored) {
    if (executor != null) {
      executor.shutdown();
      try {
        executor.awaitTermination(config.sendTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      // Database unreachable, for instance: the rows stay, the next tick tries again.
      Log.warnf("outbox relay tick failed: %s", e.getMessage());
    }
  }

  void tick() {
    // Drain while full batches keep coming, so a burst is not throttled by the poll interval.
    int sent;
    do {
      sent = relayBatch();
    } while (sent >= config.batchSize());
  }

  /**
   * Publishes one batch of unpublished rows.
   *
   * @return how many rows were published; less than a full batch when the outbox is drained, when
   *     another instance holds the relay lock, or when the broker failed part of the batch
   */
  public int relayBatch() {
    return QuarkusTransaction.requiringNew()
        .timeout((int) config.sendTimeout().toSeconds() + 30)
        .call(this::publishLockedBatch);
  }

  private int publishLockedBatch() {
    Boolean locked =
        (Boolean)
            entityManager
                .createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                .setParameter(1, RELAY_LOCK)
                .getSingleResult();
    if (!Boolean.TRUE.equals(locked)) {
      return 0;
    }
    long now = System.nanoTime();
    boolean whole =
        highestPublished < 0 || now - lastWholeScanNanos >= config.wholeScanInterval().toNanos();
    // The rows published (or deleted) before stay in the indexes as dead entries until VACUUM,
    // and a scan from the start steps over all of them: measured 16 ms for 500 rows behind 100,000
    // deleted ones in a viewer storm. So the relay starts a little below what it published last;
    // a row committed late with a lower position is found by the whole scan it makes every
    // whole-scan-interval, so nothing is left behind.
    TypedQuery<OutboxEvent> query =
        whole
            ? entityManager.createQuery(
                "from OutboxEvent where publishedAt is null order by position", OutboxEvent.class)
            : entityManager
                .createQuery(
                    "from OutboxEvent where publishedAt is null and position > :floor"
                        + " order by position",
                    OutboxEvent.class)
                .setParameter("floor", highestPublished - config.scanSlack());
    if (whole) {
      lastWholeScanNanos = now;
    }
    List<OutboxEvent> batch =
        query
            .setMaxResults(config.batchSize())
            // Read-only: no snapshot per row and no dirty check at commit; the outcome is written
            // by the statements in send().
            .setHint(HibernateHints.HINT_READ_ONLY, true)
            .getResultList();
    if (batch.isEmpty()) {
      return 0;
    }
    return send(batch);
  }

  private int send(List<OutboxEvent> batch) {
    Producer<String, byte[]> kafka = producer.get();
    List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
    RuntimeException sendFailure = null;
    for (OutboxEvent row : batch) {
      try {
        acks.add(kafka.send(toRecord(row)));
      } catch (RuntimeException e) {
        // The broker is unreachable (metadata timeout): stop here, later rows wait for next tick.
        sendFailure = e;
        break;
      }
    }
    long deadline = System.nanoTime() + config.sendTimeout().toNanos();
    List<Long> acknowledged = new ArrayList<>(acks.size());
    boolean broken = sendFailure != null;
    for (int i = 0; i < acks.size(); i++) {
      OutboxEvent row = batch.get(i);
      try {
        long waitNanos = Math.max(0, deadline - System.nanoTime());
        acks.get(i).get(waitNanos, TimeUnit.NANOSECONDS);
        acknowledged.add(row.position);
      } catch (Exception e) {
        broken = true;
        recordFailure(row, e);
      }
    }
    if (sendFailure != null && acks.size() < batch.size()) {
      recordFailure(batch.get(acks.size()), sendFailure);
    }
    int ok = acknowledged.size();
    for (long position : acknowledged) {
      highestPublished = Math.max(highestPublished, position);
    }
    if (ok > 0 && config.retention().isZero()) {
      // No audit copy wanted: Kafka holds the events now.
      entityManager
          .createQuery("delete from OutboxEvent where position in :positions")
          .setParameter("positions", acknowledged)
          .executeUpdate();
    } else if (ok > 0) {
      // One statement for the whole batch rather than an update per row.
      entityManager
          .createQuery("update OutboxEvent set publishedAt = :now where position in :positions")
          .setParameter("now", Instant.now())
          .setParameter("positions", acknowledged)
          .executeUpdate();
    }
    published.increment(ok);
    if (broken) {
      // The rows that failed are retried first, before anything published after them.
      highestPublished = -1;
      Log.warnf(
          "outbox relay: %d of %d events published, the rest stay queued (%s)",
          ok, batch.size(), sendFailure != null ? sendFailure.getMessage() : "broker did not ack");
      producer.reset();
    } else {
      Log.debugf("outbox relay: published %d events", ok);
    }
    return broken ? 0 : ok;
  }

  private void recordFailure(OutboxEvent row, Exception e) {
    failed.increment();
    String message = String.valueOf(e.getMessage());
    entityManager
        .createQuery(
            "update OutboxEvent set attempts = attempts + 1, lastError = :error"
                + " where position = :position")
        .setParameter("error", message.length() > 1000 ? message.substring(0, 1000) : message)
        .setParameter("position", row.position)
        .executeUpdate();
  }

  private ProducerRecord<String, byte[]> toRecord(OutboxEvent row) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(row.topic, row.key, row.payload.getBytes(StandardCharsets.UTF_8));
    CloudEventAttributes attributes =
        new CloudEventAttributes(
            row.id.toString(), row.type, row.source, row.occurredAt, row.subject);
    for (Map.Entry<String, byte[]> header : attributes.toHeaders().entrySet()) {
      record.headers().add(header.getKey(), header.getValue());
    }
    return record;
  }

  /** Deletes published rows older than the retention; they are only kept for audit. */
  @Scheduled(every = "1h", delayed = "1m", skipExecutionIf = RelayDisabled.class)
  void purgePublished() {
    Instant cutoff = Instant.now().minus(config.retention());
    int deleted =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    entityManager
                        .createQuery("delete from OutboxEvent where publishedAt < :cutoff")
                        .setParameter("cutoff", cutoff)
                        .executeUpdate());
    if (deleted > 0) {
      Log.infof("outbox: purged %d published events older than %s", deleted, cutoff);
    }
  }

  /** Rows not yet published; exported as a gauge and used by the readiness report. */
  public long pending() {
    return QuarkusTransaction.joiningExisting()
        .call(
            () ->
                entityManager
                    .createQuery(
                        "select count(e) from OutboxEvent e where e.publishedAt is null",
                        Long.class)
                    .getSingleResult());
  }

  private double pendingSafely() {
    try {
      return pending();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Skips relay work on instances started with {@code beamline.outbox.relay-enabled=false}. */
  @ApplicationScoped
  public static class RelayDisabled implements Scheduled.SkipPredicate {
    private final OutboxConfig config;

    public RelayDisabled(OutboxConfig config) {
      this.config = config;
    }

    @Override
    public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
      return !config.relayEnabled();
    }
  }
}
