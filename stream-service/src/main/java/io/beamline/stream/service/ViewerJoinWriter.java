package io.beamline.stream.service;

import io.beamline.events.Topics;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.platform.outbox.OutboxWriter;
import io.beamline.stream.ViewerSession;
import io.beamline.stream.config.StreamConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Writes viewer joins in groups: joins that arrive while a group is being written wait together and
 * are written next, in one plain JDBC transaction (one sequence bump per stream, batch inserts of
 * the sessions and their {@code viewer-joined} outbox rows), and each caller is answered only after
 * that transaction committed.
 *
 * <p>Why: a join written alone cost a JTA transaction, Hibernate persists with an identity insert
 * and a sequence round trip of its own, several milliseconds of CPU each; under a crowd of viewers
 * that was the service's limit. One writer thread also means the joins of a stream commit in
 * sequence order, and a group either commits whole or not at all, so the stream's numbers stay
 * gap-free and no event exists for a join that was answered with an error.
 */
@ApplicationScoped
public class ViewerJoinWriter {

  private final DataSource dataSource;
  private final OutboxWriter outbox;
  private final int batchSize;
  private final DistributionSummary groupSizes;
  private final Timer groupWrites;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Object lifecycle = new Object();
  private volatile Thread writer;
  private volatile boolean stopping;
  private volatile BeforeCommit beforeCommit = (connection, group) -> {};

  /** A fault to inject before a commit, in tests. */
  @FunctionalInterface
  interface BeforeCommit {
    void run(Connection connection, List<ViewerStart> group) throws SQLException;
  }

  /** Test hook: {@code hook} runs inside every group's transaction just before its commit. */
  void beforeCommit(BeforeCommit hook) {
    this.beforeCommit = hook == null ? (connection, group) -> {} : hook;
  }

  private record Pending(
      ViewerStart start, String clusterId, CompletableFuture<ViewerSession> done) {}

  public ViewerJoinWriter(
      DataSource dataSource, OutboxWriter outbox, StreamConfig config, MeterRegistry metrics) {
    this.dataSource = dataSource;
    this.outbox = outbox;
    this.batchSize = Math.max(1, config.joinBatchSize());
    this.groupSizes =
        DistributionSummary.builder("beamline.viewer.join.group.size")
            .description("Viewer joins written together in one transaction")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
    this.groupWrites =
        Timer.builder("beamline.viewer.join.group.write")
            .description("Time to write one group of viewer joins, commit included")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
  }

  /**
   * Starts a viewer session ({@code viewer-joined}) and returns it once committed.
   *
   * <p>Not part of a caller's transaction: the join commits on its own, with the group it is
   * written in.
   *
   * @throws IllegalStateException when its group could not be written (nothing of it is stored)
   */
  public ViewerSession join(ViewerStart start, String clusterId) {
    try {
      return joinAsync(start, clusterId).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the viewer join was written", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("viewer join not written: " + e.getCause().getMessage(), e);
    }
  }

  /**
   * Queues a viewer session start; the future completes (on the writer's thread) once its group
   * committed, or fails when the group could not be written (nothing of it is stored).
   */
  public CompletableFuture<ViewerSession> joinAsync(ViewerStart start, String clusterId) {
    if (stopping) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("stream-service is stopping"));
    }
    CompletableFuture<ViewerSession> done = new CompletableFuture<>();
    ensureWriter();
    queue.add(new Pending(start, clusterId, done));
    return done;
  }

  private void ensureWriter() {
    if (writer != null) {
      return;
    }
    synchronized (lifecycle) {
      if (stopping) {
        throw new IllegalStateException("stream-service is stopping");
      }
      if (writer == null) {
        Thread thread = new Thread(this::run, "viewer-join-writer");
        thread.setDaemon(true);
        thread.start();
        writer = thread;
      }
    }
  }

  /** Writes what is queued, then stops, before the datasource closes. */
  void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent ignored) {
    Thread thread;
    synchronized (lifecycle) {
      stopping = true;
      thread = writer;
    }
    if (thread != null) {
      // Not interrupted: a group in the middle of its JDBC calls finishes; the loop sees
      // `stopping` within its one-second poll, writes what is still queued and ends.
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    List<Pending> group = new ArrayList<>(batchSize);
    while (true) {
      try {
        Pending first = stopping ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          if (stopping) {
            return;
          }
          continue;
        }
        group.add(first);
        queue.drainTo(group, batchSize - 1);
        long start = System.nanoTime();
        write(group);
        groupWrites.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        groupSizes.record(group.size());
      } catch (InterruptedException e) {
        // Nobody interrupts this thread; should it happen, the loop goes on until stopping.
      } catch (RuntimeException | Error e) {
        // The thread must outlive any failure: joins queued behind would otherwise wait forever.
        Log.errorf(e, "viewer join writer failed");
        group.forEach(p -> p.done.completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
  }

  /** Writes one group in one transaction and answers each member after the commit (or failure). */
  private void write(List<Pending> group) {
    List<ViewerSession> sessions = new ArrayList<>(group.size());
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Map<String, StreamRow> streams = takeSequences(connection, group);
        Map<String, Long> feedBytes = feedPlayerBytes(connection, group);
        List<OutboxWriter.Outgoing> events = new ArrayList<>(group.size());
        Instant now = Instant.now();
        for (Pending pending : group) {
          ViewerStart start = pending.start();
          StreamRow stream = streams.get(streamId(start));
          ViewerSession session = session(start, stream.id, now);
          session.feedPlayerBytesAtJoin = feedBytes.getOrDefault(start.feedId(), 0L);
          sessions.add(session);
          events.add(
              new OutboxWriter.Outgoing(
                  Topics.VIEWER_JOINED,
                  stream.id,
                  new ViewerJoinedEvent(
                      UUID.randomUUID(),
                      stream.accountId,
                      now,
                      stream.id,
                      stream.streamName,
                      stream.next++,
                      stream.clusterId,
                      session.id,
                      session.tokenId,
                      session.trackingId,
                      session.clientCountry,
                      StreamLifecycle.protocol(session.protocol),
                      session.mediaNodeId,
                      session.internalReader),
                  stream.id));
        }
        insertSessions(connection, sessions);
        outbox.appendAll(connection, events);
        beforeCommit.run(connection, group.stream().map(Pending::start).toList());
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      Log.warnf("a group of %d viewer joins was not written: %s", group.size(), e.getMessage());
      group.forEach(p -> p.done.completeExceptionally(e));
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).done.complete(sessions.get(i));
    }
  }

  /** A stream's row as the group's transaction locked it, and the next number to give out. */
  private static final class StreamRow {
    String id;
    String accountId;
    String streamName;
    String clusterId;
    long next;
  }

  /**
   * Takes the group's numbers from each stream's counter (one update per stream, rows locked in id
   * order until the commit); a stream without a row yet (a viewer before any feed) gets one.
   */
  private static Map<String, StreamRow> takeSequences(Connection connection, List<Pending> group)
      throws SQLException {
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, Pending> firstOf = new LinkedHashMap<>();
    for (Pending pending : group) {
      String id = streamId(pending.start());
      counts.merge(id, 1, Integer::sum);
      firstOf.putIfAbsent(id, pending);
    }
    Map<String, StreamRow> rows = new LinkedHashMap<>();
    // Only `sequence`, which no index covers: the update stays a HOT one (see V6 migration).
    try (PreparedStatement update =
        connection.prepareStatement(
            "update live_stream set sequence = sequence + ? where id = ?"
                + " returning sequence, account_id, stream_name, cluster_id")) {
      for (Map.Entry<String, Integer> count : counts.entrySet()) {
        StreamRow row = bump(update, count.getKey(), count.getValue());
        if (row == null) {
          ViewerStart start = firstOf.get(count.getKey()).start();
          insertStream(connection, start, firstOf.get(count.getKey()).clusterId());
          row = bump(update, count.getKey(), count.getValue());
        }
        rows.put(count.getKey(), row);
      }
    }
    return rows;
  }

  private static StreamRow bump(PreparedStatement update, String streamId, int count)
      throws SQLException {
    update.setInt(1, count);
    update.setString(2, streamId);
    try (ResultSet result = update.executeQuery()) {
      if (!result.next()) {
        return null;
      }
      StreamRow row = new StreamRow();
      row.id = streamId;
      row.next = result.getLong(1) - count + 1;
      row.accountId = result.getString(2);
      row.streamName = result.getString(3);
      row.clusterId = result.getString(4);
      return row;
    }
  }

  /**
   * What each player of the group's feeds has received so far: a session is credited the growth of
   * its feed's counter from here to its end.
   */
  private static Map<String, Long> feedPlayerBytes(Connection connection, List<Pending> group)
      throws SQLException {
    Set<String> feedIds = new HashSet<>();
    for (Pending pending : group) {
      if (pending.start().feedId() != null) {
        feedIds.add(pending.start().feedId());
      }
    }
    Map<String, Long> bytes = new HashMap<>();
    if (feedIds.isEmpty()) {
      return bytes;
    }
    try (PreparedStatement select =
        connection.prepareStatement("select id, player_bytes_out from feed where id = any (?)")) {
      select.setArray(1, connection.createArrayOf("varchar", feedIds.toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          bytes.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return bytes;
  }

  private static void insertStream(Connection connection, ViewerStart start, String clusterId)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into live_stream (id, account_id, stream_name, state, sequence, cluster_id,"
                + " updated_at) values (?, ?, ?, 'ended', 0, ?, now()) on conflict do nothing")) {
      insert.setString(1, streamId(start));
      insert.setString(2, start.accountId());
      insert.setString(3, start.streamName());
      insert.setString(4, clusterId);
      insert.executeUpdate();
    }
  }

  private static void insertSessions(Connection connection, List<ViewerSession> sessions)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into viewer_session (id, stream_id, account_id, feed_id, token_id,"
                + " tracking_id, client_country, protocol, media_node_id, media_client_id,"
                + " grant_id, internal_reader, state, joined_at, bytes_out,"
                + " feed_player_bytes_at_join)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")) {
      for (ViewerSession s : sessions) {
        insert.setString(1, s.id);
        insert.setString(2, s.streamId);
        insert.setString(3, s.accountId);
        insert.setString(4, s.feedId);
        insert.setObject(5, s.tokenId, java.sql.Types.BIGINT);
        insert.setString(6, s.trackingId);
        insert.setString(7, s.clientCountry);
        insert.setString(8, s.protocol);
        insert.setString(9, s.mediaNodeId);
        insert.setString(10, s.mediaClientId);
        insert.setString(11, s.grantId);
        insert.setBoolean(12, s.internalReader);
        insert.setString(13, s.state);
        insert.setObject(14, OffsetDateTime.ofInstant(s.joinedAt, ZoneOffset.UTC));
        insert.setLong(15, s.feedPlayerBytesAtJoin);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static ViewerSession session(ViewerStart start, String streamId, Instant now) {
    ViewerSession session = new ViewerSession();
    session.id = start.sessionId();
    session.streamId = streamId;
    session.accountId = start.accountId();
    session.feedId = start.feedId();
    session.tokenId = start.tokenId();
    session.trackingId = start.trackingId();
    session.clientCountry = start.clientCountry();
    session.protocol = start.protocol();
    session.mediaNodeId = start.mediaNodeId();
    session.mediaClientId = start.mediaClientId();
    session.grantId = start.grantId();
    session.internalReader = start.internalReader();
    session.state = ViewerSession.LIVE;
    session.joinedAt = now;
    return session;
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      Log.debugf("rollback of a viewer join group failed: %s", e.getMessage());
    }
  }

  private static String streamId(ViewerStart start) {
    return start.accountId() + "/" + start.streamName();
  }
}
