package io.beamline.analytics.service;

import io.agroal.api.AgroalDataSource;
import io.beamline.analytics.Bucket;
import io.beamline.analytics.Grouping;
import io.beamline.analytics.Metric;
import io.beamline.analytics.TrafficKey;
import io.beamline.analytics.service.Contributions.Dimensions;
import io.beamline.analytics.storage.IngestStore;
import io.beamline.analytics.storage.IngestStore.ConcurrencyKey;
import io.beamline.analytics.storage.IngestStore.FeedRow;
import io.beamline.analytics.storage.IngestStore.SessionHalves;
import io.beamline.analytics.storage.IngestStore.StreamState;
import io.beamline.events.BeamlineEvent;
import io.beamline.events.StreamEvent;
import io.beamline.events.StreamScoped;
import io.beamline.events.recording.RecordingCompletedEvent;
import io.beamline.events.recording.RecordingFailedEvent;
import io.beamline.events.recording.RecordingStartedEvent;
import io.beamline.events.restream.RestreamFailedEvent;
import io.beamline.events.restream.RestreamStartedEvent;
import io.beamline.events.restream.RestreamStoppedEvent;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.PublisherFailedEvent;
import io.beamline.events.stream.SourceSwitchedEvent;
import io.beamline.events.stream.StreamEndedEvent;
import io.beamline.events.stream.StreamStartedEvent;
import io.beamline.events.stream.StreamStatsEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Applies one batch of events to live state and to the aggregates in a single database transaction,
 * skipping every event that was applied before.
 */
@ApplicationScoped
public class IngestService {

  /** The consumer name on the inbox metric, as the platform's inbox uses it. */
  public static final String CONSUMER = "analytics-service";

  private final AgroalDataSource dataSource;
  private final IngestStore store;
  private final Counter duplicates;
  private final Counter applied;

  public IngestService(AgroalDataSource dataSource, IngestStore store, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.store = store;
    this.duplicates =
        registry.counter("beamline.inbox.duplicates", "consumer", CONSUMER, "topic", "all");
    this.applied = registry.counter("beamline.analytics.events.applied");
  }

  /**
   * Applies {@code events} (contract payload records, any topic, any order) and commits; on any
   * failure nothing of the batch is kept, so the caller can retry it whole.
   *
   * @return how many events took effect (the rest were duplicates)
   */
  public int apply(List<? extends BeamlineEvent> events) throws SQLException {
    Batch batch = new Batch(events);
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        long start = System.nanoTime();
        int count = batch.apply(c);
        // A durable commit (synchronous_commit stays on). With it off, a PostgreSQL crash can lose
        // a commit that already returned, and the consumer commits the Kafka offsets right after
        // this returns: those events would never come again, and be lost. It would be safe only
        // if the offsets were stored in this same transaction (lost together, read again). It
        // would also buy little: one WAL flush per batch of up to max-batch-events events.
        c.commit();
        Log.debugf(
            "applied %d of %d events in %d ms (%s)",
            count, events.size(), (System.nanoTime() - start) / 1_000_000, batch.timings);
        applied.increment(count);
        duplicates.increment(events.size() - count);
        return count;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /** One batch being applied. */
  private final class Batch {

    private final Map<String, ViewerJoinedEvent> joins = new LinkedHashMap<>();
    private final Map<String, ViewerLeftEvent> leaves = new LinkedHashMap<>();
    private final Map<String, FeedStartedEvent> feedStarts = new LinkedHashMap<>();
    private final Map<String, FeedEndedEvent> feedEnds = new LinkedHashMap<>();
    private final Map<UUID, BeamlineEvent> others = new LinkedHashMap<>();
    private final Contributions contributions = new Contributions();
    private final StringBuilder timings = new StringBuilder();
    private long lap = System.nanoTime();
    private int count;

    /** Notes how long a step took, for the debug log. */
    private void lap(String step) {
      long now = System.nanoTime();
      timings.append(step).append(' ').append((now - lap) / 1_000_000).append("ms ");
      lap = now;
    }

    Batch(List<? extends BeamlineEvent> events) {
      for (BeamlineEvent event : events) {
        // Within one batch the first copy wins; the database decides against earlier batches.
        if (event instanceof ViewerJoinedEvent e) {
          joins.putIfAbsent(IngestStore.sessionKey(e.accountId(), e.viewerSessionId()), e);
        } else if (event instanceof ViewerLeftEvent e) {
          leaves.putIfAbsent(IngestStore.sessionKey(e.accountId(), e.viewerSessionId()), e);
        } else {
          others.putIfAbsent(event.eventId(), event);
        }
      }
    }

    int apply(Connection c) throws SQLException {
      Set<UUID> fresh = store.firstDeliveries(c, others.keySet());
      Map<String, StreamState> states = new HashMap<>();
      Map<ConcurrencyKey, Long> concurrency = new HashMap<>();
      for (BeamlineEvent event : others.values()) {
        if (!fresh.contains(event.eventId())) {
          continue;
        }
        // Feeds are counted when their row is applied (below), other events right here.
        if (event instanceof FeedStartedEvent e) {
          feedStarts.putIfAbsent(IngestStore.sessionKey(e.accountId(), e.feedId()), e);
          continue;
        }
        if (event instanceof FeedEndedEvent e) {
          feedEnds.putIfAbsent(IngestStore.sessionKey(e.accountId(), e.feedId()), e);
          continue;
        }
        count++;
        if (event instanceof StreamStartedEvent e) {
          newest(
              states,
              new StreamState(
                  e.accountId(),
                  e.streamName(),
                  e.clusterId(),
                  e.sequence(),
                  true,
                  e.occurredAt(),
                  null));
          add(streamDims(e), e.occurredAt(), Metric.STREAMS_STARTED, 1);
        } else if (event instanceof StreamEndedEvent e) {
          newest(
              states,
              new StreamState(
                  e.accountId(),
                  e.streamName(),
                  e.clusterId(),
                  e.sequence(),
                  false,
                  e.startedAt(),
                  e.occurredAt()));
          add(streamDims(e), e.occurredAt(), Metric.STREAMS_ENDED, 1);
        } else if (event instanceof StreamStatsEvent e) {
          Dimensions d = streamDims(e);
          add(d, e.intervalStart(), Metric.BYTES_IN, e.bytesIn());
          add(d, e.intervalStart(), Metric.BYTES_OUT, e.bytesOut());
          contributions.add(
              d, e.intervalStart(), Set.of(Grouping.STREAM), Metric.PEAK_VIEWERS, e.viewers());
          concurrency.merge(
              new ConcurrencyKey(e.accountId(), "", e.intervalEnd()),
              (long) e.viewers(),
              Long::sum);
          concurrency.merge(
              new ConcurrencyKey(e.accountId(), nonNull(e.clusterId()), e.intervalEnd()),
              (long) e.viewers(),
              Long::sum);
        } else if (event instanceof PublisherFailedEvent e) {
          contributions.add(
              new Dimensions(e.accountId(), e.streamName(), null, e.clientCountry(), e.clusterId()),
              e.occurredAt(),
              Contributions.WITH_COUNTRY,
              Metric.PUBLISHER_FAILURES,
              1);
        } else if (event instanceof SourceSwitchedEvent e) {
          add(streamDims(e), e.occurredAt(), Metric.SOURCE_SWITCHES, 1);
        } else if (event instanceof RecordingStartedEvent e) {
          add(streamDims(e), e.occurredAt(), Metric.RECORDINGS_STARTED, 1);
        } else if (event instanceof RecordingCompletedEvent e) {
          Dimensions d = streamDims(e);
          add(d, e.occurredAt(), Metric.RECORDINGS_COMPLETED, 1);
          add(d, e.occurredAt(), Metric.RECORDING_SECONDS, e.durationSeconds());
          add(d, e.occurredAt(), Metric.RECORDING_BYTES, e.sizeBytes());
        } else if (event instanceof RecordingFailedEvent e) {
          add(streamDims(e), e.occurredAt(), Metric.RECORDINGS_FAILED, 1);
        } else if (event instanceof RestreamStartedEvent e) {
          add(streamDims(e), e.occurredAt(), Metric.RESTREAMS_STARTED, 1);
        } else if (event instanceof RestreamFailedEvent e) {
          add(streamDims(e), e.occurredAt(), Metric.RESTREAMS_FAILED, 1);
        } else if (event instanceof RestreamStoppedEvent e) {
          Dimensions d = streamDims(e);
          add(d, e.occurredAt(), Metric.RESTREAM_SECONDS, e.durationSeconds());
          add(d, e.occurredAt(), Metric.RESTREAM_BYTES_OUT, e.bytesOut());
        }
        // recording-deleted changes storage, not what was recorded; token events carry no
        // audience or traffic: both are recorded as applied and otherwise ignored.
      }
      lap("inbox+others");
      store.applyStreamStates(c, states.values());
      applyFeeds(c);
      lap("feeds");
      applyViewers(c);
      lap("viewers");
      if (!concurrency.isEmpty()) {
        applyPeaks(c, concurrency);
      }
      store.upsertTraffic(c, contributions);
      lap("traffic(" + contributions.size() + " rows)");
      return count;
    }

    private void applyFeeds(Connection c) throws SQLException {
      Map<String, FeedStartedEvent> started = feedStarts;
      for (FeedRow row : store.applyFeedStarts(c, new ArrayList<>(started.values()))) {
        FeedStartedEvent e = started.get(IngestStore.sessionKey(row.accountId(), row.feedId()));
        count++;
        contributions.add(
            new Dimensions(e.accountId(), e.streamName(), null, e.clientCountry(), e.clusterId()),
            e.occurredAt(),
            Contributions.WITH_COUNTRY,
            Metric.FEEDS_STARTED,
            1);
        if (row.complete()) {
          completed(row);
        }
      }
      for (FeedRow row : store.applyFeedEnds(c, new ArrayList<>(feedEnds.values()))) {
        FeedEndedEvent e = feedEnds.get(IngestStore.sessionKey(row.accountId(), row.feedId()));
        count++;
        add(streamDims(e), e.occurredAt(), Metric.FEEDS_ENDED, 1);
        if (row.complete()) {
          completed(row);
        }
      }
    }

    /** A feed whose two halves are both applied: its publish time and bytes count now, once. */
    private void completed(FeedRow row) {
      Dimensions d =
          new Dimensions(row.accountId(), row.streamName(), null, row.country(), row.clusterId());
      contributions.add(
          d,
          row.endedAt(),
          Contributions.WITH_COUNTRY,
          Metric.PUBLISH_SECONDS,
          row.durationSeconds());
      contributions.add(
          d, row.endedAt(), Contributions.WITH_COUNTRY, Metric.FEED_BYTES_IN, row.bytesIn());
    }

    /**
     * Viewer events: sessions without a row yet are written once with every half this batch holds
     * (the common case in a big batch); halves of sessions that have a row go through guarded
     * upserts. Either way the session row is the inbox of its two events.
     */
    private void applyViewers(Connection c) throws SQLException {
      if (joins.isEmpty() && leaves.isEmpty()) {
        return;
      }
      List<SessionHalves> paired = new ArrayList<>();
      Set<String> rest = new HashSet<>();
      for (Map.Entry<String, ViewerJoinedEvent> join : joins.entrySet()) {
        ViewerLeftEvent leave = leaves.get(join.getKey());
        if (leave != null) {
          paired.add(new SessionHalves(join.getKey(), join.getValue(), leave));
        } else {
          rest.add(join.getKey());
        }
      }
      for (String key : leaves.keySet()) {
        if (!joins.containsKey(key)) {
          rest.add(key);
        }
      }
      // Sessions with both halves in this batch are nearly always new (most of a burst, now that
      // the topics are read in step), so they are copied without looking them up first. If one of
      // them has a row after all (a redelivery, a duplicate), the copy fails on the primary key,
      // is rolled back to the savepoint, and they take the path of single halves below.
      List<SessionHalves> written = new ArrayList<>();
      if (!paired.isEmpty()) {
        Savepoint beforeCopy = c.setSavepoint();
        try {
          store.copyNewSessions(c, paired);
          c.releaseSavepoint(beforeCopy);
          written.addAll(paired);
        } catch (SQLException e) {
          if (!IngestStore.isUniqueViolation(e)) {
            throw e;
          }
          c.rollback(beforeCopy);
          paired.forEach(h -> rest.add(h.key()));
        }
        lap("sessions-copy-paired(" + written.size() + " of " + paired.size() + ")");
      }
      Set<String> existing = store.existingSessions(c, rest);
      lap("sessions-lookup(" + rest.size() + ")");
      List<SessionHalves> fresh = new ArrayList<>(rest.size() - existing.size());
      List<ViewerJoinedEvent> oldJoins = new ArrayList<>();
      List<ViewerLeftEvent> oldLeaves = new ArrayList<>();
      for (String key : rest) {
        ViewerJoinedEvent join = joins.get(key);
        ViewerLeftEvent leave = leaves.get(key);
        if (existing.contains(key)) {
          if (join != null) {
            oldJoins.add(join);
          }
          if (leave != null) {
            oldLeaves.add(leave);
          }
        } else {
          fresh.add(new SessionHalves(key, join, leave));
        }
      }
      store.copyNewSessions(c, fresh);
      written.addAll(fresh);
      lap("sessions-copy(" + fresh.size() + ")");
      Map<String, Long> live = new HashMap<>();
      for (SessionHalves h : written) {
        if (h.join() != null) {
          // Watching now unless this batch also holds its leave.
          joined(h.join(), h.leave() == null, live);
        }
        if (h.leave() != null) {
          left(h.leave(), false, live);
        }
      }
      Map<String, Boolean> joined = store.applyJoins(c, oldJoins);
      for (Map.Entry<String, Boolean> applied : joined.entrySet()) {
        joined(joins.get(applied.getKey()), applied.getValue(), live);
      }
      Map<String, Boolean> left = store.applyLeaves(c, oldLeaves);
      for (Map.Entry<String, Boolean> applied : left.entrySet()) {
        left(leaves.get(applied.getKey()), applied.getValue(), live);
      }
      lap("sessions-upsert(" + (oldJoins.size() + oldLeaves.size()) + ")");
      store.addLiveViewers(c, live);
    }

    /** A join applied now; {@code watching}: its leave is not applied, so it counts as live. */
    private void joined(ViewerJoinedEvent e, boolean watching, Map<String, Long> live) {
      count++;
      if (e.internalReader()) {
        return;
      }
      if (watching) {
        live.merge(IngestStore.sessionKey(e.accountId(), e.streamName()), 1L, Long::sum);
      }
      contributions.add(
          new Dimensions(
              e.accountId(), e.streamName(), e.trackingId(), e.clientCountry(), e.clusterId()),
          e.occurredAt(),
          Contributions.ALL,
          Metric.VIEWER_SESSIONS,
          1);
    }

    /** A leave applied now; {@code wasWatching}: its join was applied before, and counted live. */
    private void left(ViewerLeftEvent e, boolean wasWatching, Map<String, Long> live) {
      count++;
      if (e.internalReader()) {
        return;
      }
      if (wasWatching) {
        live.merge(IngestStore.sessionKey(e.accountId(), e.streamName()), -1L, Long::sum);
      }
      Dimensions d =
          new Dimensions(
              e.accountId(), e.streamName(), e.trackingId(), e.clientCountry(), e.clusterId());
      contributions.add(d, e.occurredAt(), Contributions.ALL, Metric.SESSIONS_ENDED, 1);
      contributions.add(
          d, e.occurredAt(), Contributions.ALL, Metric.VIEW_SECONDS, e.watchedSeconds());
      contributions.add(
          d, e.occurredAt(), Contributions.ALL, Metric.SESSION_BYTES_OUT, e.bytesOut());
    }

    /**
     * Account and cluster peaks: the sum of every stream's viewers at one stats instant, taken
     * after this batch's additions; sums only grow, so the largest seen is the true peak.
     */
    private void applyPeaks(Connection c, Map<ConcurrencyKey, Long> adds) throws SQLException {
      for (Map.Entry<ConcurrencyKey, Long> sum : store.addConcurrency(c, adds).entrySet()) {
        ConcurrencyKey k = sum.getKey();
        // The sample at an interval's end belongs to the bucket of the interval's start.
        Instant sampleBucketTime = k.at().minusMillis(1);
        boolean account = k.clusterId().isEmpty();
        for (Bucket bucket : Bucket.values()) {
          contributions.max(
              new TrafficKey(
                  k.accountId(),
                  bucket,
                  account ? Grouping.ACCOUNT : Grouping.CLUSTER,
                  bucket.start(sampleBucketTime),
                  "",
                  "",
                  "",
                  k.clusterId()),
              Metric.PEAK_VIEWERS,
              sum.getValue());
        }
      }
    }

    private void add(Dimensions d, Instant at, Metric metric, long value) {
      contributions.add(d, at, Contributions.STREAM_LEVEL, metric, value);
    }
  }

  private static void newest(Map<String, StreamState> states, StreamState state) {
    states.merge(
        IngestStore.sessionKey(state.accountId(), state.streamName()),
        state,
        (a, b) -> a.sequence() >= b.sequence() ? a : b);
  }

  private static Dimensions streamDims(StreamScoped e) {
    String cluster = e instanceof StreamEvent s ? s.clusterId() : null;
    return new Dimensions(e.accountId(), e.streamName(), null, null, cluster);
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }
}
