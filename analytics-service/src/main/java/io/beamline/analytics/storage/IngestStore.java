package io.beamline.analytics.storage;

import io.beamline.analytics.Metric;
import io.beamline.analytics.TrafficKey;
import io.beamline.analytics.service.Contributions;
import io.beamline.events.stream.FeedEndedEvent;
import io.beamline.events.stream.FeedStartedEvent;
import io.beamline.events.stream.ViewerJoinedEvent;
import io.beamline.events.stream.ViewerLeftEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.postgresql.PGConnection;

/**
 * The write side of ingestion: multi-row statements (arrays passed to {@code unnest}) so a whole
 * batch costs a handful of round trips, all inside the caller's transaction.
 */
@ApplicationScoped
public class IngestStore {

  /**
   * A stream-started or stream-ended event reduced to what live state needs.
   *
   * @param live whether the event says the stream is live
   */
  public record StreamState(
      String accountId,
      String streamName,
      String clusterId,
      long sequence,
      boolean live,
      Instant startedAt,
      Instant endedAt) {}

  /**
   * A feed row as it is after a half of it was applied.
   *
   * @param complete whether both halves are now applied
   */
  public record FeedRow(
      String accountId,
      String feedId,
      String streamName,
      String clusterId,
      String country,
      boolean complete,
      Instant endedAt,
      long durationSeconds,
      long bytesIn) {}

  /** The key of a concurrency sum; cluster {@code ""} is the account-wide sum. */
  public record ConcurrencyKey(String accountId, String clusterId, Instant at) {}

  private static final String TRAFFIC_UPSERT = trafficUpsert();

  /** Records first deliveries and returns the ids that were not applied before. */
  public Set<UUID> firstDeliveries(Connection c, Collection<UUID> ids) throws SQLException {
    Set<UUID> fresh = new HashSet<>();
    if (ids.isEmpty()) {
      return fresh;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into ingested_event (event_id) select unnest(?::uuid[])"
                + " on conflict do nothing returning event_id")) {
      s.setArray(1, c.createArrayOf("uuid", ids.toArray(new UUID[0])));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          fresh.add(rs.getObject(1, UUID.class));
        }
      }
    }
    return fresh;
  }

  /**
   * A viewer session as one batch knows it: its joined half, its left half, or both.
   *
   * @param key {@link #sessionKey} of the session
   */
  public record SessionHalves(String key, ViewerJoinedEvent join, ViewerLeftEvent leave) {}

  /**
   * The keys ({@link #sessionKey}) among {@code keys} that already have a session row: the halves
   * of those are applied through {@link #applyJoins}/{@link #applyLeaves}, the rest are new and
   * written with {@link #copyNewSessions}.
   */
  public Set<String> existingSessions(Connection c, Collection<String> keys) throws SQLException {
    Set<String> existing = new HashSet<>();
    if (keys.isEmpty()) {
      return existing;
    }
    // One statement per account (a batch rarely holds many): "view_id = any(array)" probes the
    // primary key once per id, where a join against unnest() may be planned as a scan of the whole
    // table.
    Map<String, List<String>> byAccount = new HashMap<>();
    for (String key : keys) {
      int split = key.indexOf('\u0000');
      byAccount
          .computeIfAbsent(key.substring(0, split), a -> new ArrayList<>())
          .add(key.substring(split + 1));
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "select view_id from stream_view where account_id = ? and view_id = any(?::text[])")) {
      for (Map.Entry<String, List<String>> account : byAccount.entrySet()) {
        s.setString(1, account.getKey());
        s.setArray(2, c.createArrayOf("text", account.getValue().toArray(new String[0])));
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            existing.add(sessionKey(account.getKey(), rs.getString(1)));
          }
        }
      }
    }
    return existing;
  }

  /**
   * Writes sessions that have no row yet, each with every half this batch holds, through {@code
   * COPY}: the cheapest way into PostgreSQL, and in a big batch most sessions are both joined and
   * left, so one row write replaces an insert plus an update. A session inserted meanwhile by
   * another consumer (during a rebalance) makes the copy fail on the primary key, and the whole
   * batch is retried, when {@link #existingSessions} sees the row.
   *
   * <p>In COPY's binary format: PostgreSQL then parses no timestamps, UUIDs or numbers, and this
   * side formats none (a text COPY of the benchmark's session rows took 8.2-10.8 us of PostgreSQL
   * CPU a row, a binary one 6.8-7.9; JFR showed {@code Instant.toString} and the text building in
   * 8% of an ingestion thread's samples).
   */
  public void copyNewSessions(Connection c, Collection<SessionHalves> sessions)
      throws SQLException {
    if (sessions.isEmpty()) {
      return;
    }
    try {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn(
              "copy stream_view (account_id, view_id, stream_name, cluster_id, tracking_id,"
                  + " country, protocol, internal_reader, started_at, ended_at, watched_seconds,"
                  + " bytes_out, joined_event_id, left_event_id) from stdin with (format binary)",
              new ByteArrayInputStream(copyRows(sessions)));
    } catch (IOException e) {
      throw new SQLException("copy into stream_view failed", e);
    }
  }

  /** The rows of {@link #copyNewSessions} in COPY's binary format (header and trailer included). */
  static byte[] copyRows(Collection<SessionHalves> sessions) {
    BinaryCopy rows = new BinaryCopy(sessions.size() * 200);
    for (SessionHalves h : sessions) {
      ViewerJoinedEvent j = h.join();
      ViewerLeftEvent l = h.leave();
      rows.row(14);
      if (j != null) {
        rows.text(j.accountId());
        rows.text(j.viewerSessionId());
        rows.text(j.streamName());
        rows.text(nonNull(j.clusterId()));
        rows.text(j.trackingId() != null || l == null ? j.trackingId() : l.trackingId());
        rows.text(j.clientCountry() != null || l == null ? j.clientCountry() : l.clientCountry());
        rows.text(j.protocol() == null ? null : j.protocol().name());
        rows.bool(j.internalReader());
        rows.timestamp(j.occurredAt());
      } else {
        rows.text(l.accountId());
        rows.text(l.viewerSessionId());
        rows.text(l.streamName());
        rows.text(nonNull(l.clusterId()));
        rows.text(l.trackingId());
        rows.text(l.clientCountry());
        rows.text(l.protocol() == null ? null : l.protocol().name());
        rows.bool(l.internalReader());
        rows.timestamp(l.joinedAt());
      }
      if (l != null) {
        rows.timestamp(l.occurredAt());
        rows.int8(l.watchedSeconds());
        rows.int8(l.bytesOut());
      } else {
        rows.nulls(3);
      }
      rows.uuid(j == null ? null : j.eventId());
      rows.uuid(l == null ? null : l.eventId());
    }
    return rows.finish();
  }

  /**
   * PostgreSQL's binary COPY format: a signature and two zero words, then per row a 16-bit field
   * count and per field a 32-bit length (-1 for null) and the value in the type's binary send
   * format, then -1 as the trailer.
   */
  static final class BinaryCopy {

    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix seconds. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private static final byte[] SIGNATURE = {
      'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    // A plain growing array: ByteArrayOutputStream's methods are synchronized, one call a byte.
    private byte[] buf;
    private int pos;

    BinaryCopy(int expectedSize) {
      buf = new byte[Math.max(64, expectedSize)];
      bytes(SIGNATURE);
    }

    void row(int fields) {
      int16(fields);
    }

    void text(String value) {
      if (value == null) {
        nulls(1);
        return;
      }
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      int32(utf8.length);
      bytes(utf8);
    }

    void bool(boolean value) {
      int32(1);
      ensure(1);
      buf[pos++] = (byte) (value ? 1 : 0);
    }

    void int8(long value) {
      int32(8);
      int64(value);
    }

    /**
     * Microseconds since PostgreSQL's epoch (its timestamps keep microseconds; a finer instant is
     * rounded to the nearest one, as PostgreSQL does with the text form, ties aside).
     */
    void timestamp(Instant value) {
      if (value == null) {
        nulls(1);
        return;
      }
      int8(
          (value.getEpochSecond() - POSTGRES_EPOCH_SECONDS) * 1_000_000L
              + (value.getNano() + 500) / 1_000);
    }

    void uuid(UUID value) {
      if (value == null) {
        nulls(1);
        return;
      }
      int32(16);
      int64(value.getMostSignificantBits());
      int64(value.getLeastSignificantBits());
    }

    void nulls(int count) {
      for (int i = 0; i < count; i++) {
        int32(-1);
      }
    }

    byte[] finish() {
      int16(-1);
      return Arrays.copyOf(buf, pos);
    }

    private void int16(int v) {
      ensure(2);
      buf[pos++] = (byte) (v >>> 8);
      buf[pos++] = (byte) v;
    }

    private void int32(int v) {
      ensure(4);
      buf[pos++] = (byte) (v >>> 24);
      buf[pos++] = (byte) (v >>> 16);
      buf[pos++] = (byte) (v >>> 8);
      buf[pos++] = (byte) v;
    }

    private void int64(long v) {
      int32((int) (v >>> 32));
      int32((int) v);
    }

    private void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }
  }

  /** Whether {@code e} (or a cause) is PostgreSQL's unique_violation (SQLSTATE 23505). */
  public static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies viewer-joined events (at most one per session) and returns the keys ({@code
   * account/session}) of those applied now, each with whether the session is now watching (its
   * leave was not applied first); a session whose join was applied before is skipped.
   */
  public Map<String, Boolean> applyJoins(Connection c, List<ViewerJoinedEvent> joins)
      throws SQLException {
    if (joins.isEmpty()) {
      return Map.of();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into stream_view (account_id, view_id, stream_name, cluster_id, tracking_id,"
                + " country, protocol, internal_reader, started_at, joined_event_id)"
                + " select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::text[], ?::text[], ?::boolean[], ?::timestamptz[], ?::uuid[])"
                + " on conflict (account_id, view_id) do update set"
                + " started_at = excluded.started_at, joined_event_id = excluded.joined_event_id,"
                + " tracking_id = coalesce(stream_view.tracking_id, excluded.tracking_id),"
                + " country = coalesce(stream_view.country, excluded.country),"
                + " protocol = coalesce(stream_view.protocol, excluded.protocol)"
                + " where stream_view.joined_event_id is null"
                + " returning account_id, view_id, left_event_id is null")) {
      s.setArray(1, texts(c, joins, ViewerJoinedEvent::accountId));
      s.setArray(2, texts(c, joins, ViewerJoinedEvent::viewerSessionId));
      s.setArray(3, texts(c, joins, ViewerJoinedEvent::streamName));
      s.setArray(4, texts(c, joins, e -> nonNull(e.clusterId())));
      s.setArray(5, texts(c, joins, ViewerJoinedEvent::trackingId));
      s.setArray(6, texts(c, joins, ViewerJoinedEvent::clientCountry));
      s.setArray(7, texts(c, joins, e -> e.protocol() == null ? null : e.protocol().name()));
      s.setArray(
          8, c.createArrayOf("boolean", joins.stream().map(e -> e.internalReader()).toArray()));
      s.setArray(9, times(c, joins, ViewerJoinedEvent::occurredAt));
      s.setArray(10, c.createArrayOf("uuid", joins.stream().map(e -> e.eventId()).toArray()));
      return sessionKeys(s);
    }
  }

  /**
   * Applies viewer-left events (at most one per session), as {@link #applyJoins}; the flag says
   * whether the session's join had been applied (so it stopped watching now).
   */
  public Map<String, Boolean> applyLeaves(Connection c, List<ViewerLeftEvent> leaves)
      throws SQLException {
    if (leaves.isEmpty()) {
      return Map.of();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into stream_view (account_id, view_id, stream_name, cluster_id, tracking_id,"
                + " country, protocol, internal_reader, started_at, ended_at, watched_seconds,"
                + " bytes_out, left_event_id)"
                + " select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::text[], ?::text[], ?::boolean[], ?::timestamptz[], ?::timestamptz[],"
                + " ?::bigint[], ?::bigint[], ?::uuid[])"
                + " on conflict (account_id, view_id) do update set"
                + " ended_at = excluded.ended_at, watched_seconds = excluded.watched_seconds,"
                + " bytes_out = excluded.bytes_out, left_event_id = excluded.left_event_id"
                + " where stream_view.left_event_id is null"
                + " returning account_id, view_id, joined_event_id is not null")) {
      s.setArray(1, texts(c, leaves, ViewerLeftEvent::accountId));
      s.setArray(2, texts(c, leaves, ViewerLeftEvent::viewerSessionId));
      s.setArray(3, texts(c, leaves, ViewerLeftEvent::streamName));
      s.setArray(4, texts(c, leaves, e -> nonNull(e.clusterId())));
      s.setArray(5, texts(c, leaves, ViewerLeftEvent::trackingId));
      s.setArray(6, texts(c, leaves, ViewerLeftEvent::clientCountry));
      s.setArray(7, texts(c, leaves, e -> e.protocol() == null ? null : e.protocol().name()));
      s.setArray(
          8, c.createArrayOf("boolean", leaves.stream().map(e -> e.internalReader()).toArray()));
      s.setArray(9, times(c, leaves, ViewerLeftEvent::joinedAt));
      s.setArray(10, times(c, leaves, ViewerLeftEvent::occurredAt));
      s.setArray(
          11, c.createArrayOf("bigint", leaves.stream().map(e -> e.watchedSeconds()).toArray()));
      s.setArray(12, c.createArrayOf("bigint", leaves.stream().map(e -> e.bytesOut()).toArray()));
      s.setArray(13, c.createArrayOf("uuid", leaves.stream().map(e -> e.eventId()).toArray()));
      return sessionKeys(s);
    }
  }

  /** Applies live-state changes; each is ignored unless its sequence is the newest seen. */
  public void applyStreamStates(Connection c, Collection<StreamState> states) throws SQLException {
    if (states.isEmpty()) {
      return;
    }
    List<StreamState> list = new ArrayList<>(states);
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into live_stream (account_id, stream_name, cluster_id, live, state_sequence,"
                + " started_at, ended_at)"
                + " select * from unnest(?::text[], ?::text[], ?::text[], ?::boolean[],"
                + " ?::bigint[], ?::timestamptz[], ?::timestamptz[])"
                + " on conflict (account_id, stream_name) do update set"
                + " cluster_id = excluded.cluster_id, live = excluded.live,"
                + " state_sequence = excluded.state_sequence,"
                + " started_at = coalesce(excluded.started_at, live_stream.started_at),"
                + " ended_at = excluded.ended_at"
                + " where live_stream.state_sequence < excluded.state_sequence")) {
      s.setArray(1, texts(c, list, StreamState::accountId));
      s.setArray(2, texts(c, list, StreamState::streamName));
      s.setArray(3, texts(c, list, e -> nonNull(e.clusterId())));
      s.setArray(4, c.createArrayOf("boolean", list.stream().map(e -> e.live()).toArray()));
      s.setArray(5, c.createArrayOf("bigint", list.stream().map(e -> e.sequence()).toArray()));
      s.setArray(6, times(c, list, StreamState::startedAt));
      s.setArray(7, times(c, list, StreamState::endedAt));
      s.executeUpdate();
    }
  }

  /** Applies feed-started events (one per feed) and returns the rows applied now. */
  public List<FeedRow> applyFeedStarts(Connection c, List<FeedStartedEvent> starts)
      throws SQLException {
    if (starts.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into feed (account_id, feed_id, stream_name, cluster_id, source_id, country,"
                + " protocol, started_at, started_event_id)"
                + " select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::text[], ?::text[], ?::timestamptz[], ?::uuid[])"
                + " on conflict (account_id, feed_id) do update set"
                + " source_id = excluded.source_id, country = excluded.country,"
                + " protocol = excluded.protocol, started_at = excluded.started_at,"
                + " started_event_id = excluded.started_event_id"
                + " where feed.started_event_id is null"
                + " returning account_id, feed_id, stream_name, cluster_id, country,"
                + " ended_event_id is not null, ended_at, duration_seconds, bytes_in")) {
      s.setArray(1, texts(c, starts, FeedStartedEvent::accountId));
      s.setArray(2, texts(c, starts, FeedStartedEvent::feedId));
      s.setArray(3, texts(c, starts, FeedStartedEvent::streamName));
      s.setArray(4, texts(c, starts, e -> nonNull(e.clusterId())));
      s.setArray(5, texts(c, starts, FeedStartedEvent::sourceId));
      s.setArray(6, texts(c, starts, FeedStartedEvent::clientCountry));
      s.setArray(7, texts(c, starts, e -> e.protocol() == null ? null : e.protocol().name()));
      s.setArray(8, times(c, starts, FeedStartedEvent::occurredAt));
      s.setArray(9, c.createArrayOf("uuid", starts.stream().map(e -> e.eventId()).toArray()));
      return feedRows(s);
    }
  }

  /** Applies feed-ended events (one per feed) and returns the rows applied now. */
  public List<FeedRow> applyFeedEnds(Connection c, List<FeedEndedEvent> ends) throws SQLException {
    if (ends.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into feed (account_id, feed_id, stream_name, cluster_id, source_id,"
                + " started_at, ended_at, duration_seconds, bytes_in, ended_event_id)"
                + " select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::bigint[], ?::uuid[])"
                + " on conflict (account_id, feed_id) do update set"
                + " ended_at = excluded.ended_at, duration_seconds = excluded.duration_seconds,"
                + " bytes_in = excluded.bytes_in, ended_event_id = excluded.ended_event_id"
                + " where feed.ended_event_id is null"
                + " returning account_id, feed_id, stream_name, cluster_id, country,"
                + " started_event_id is not null, ended_at, duration_seconds, bytes_in")) {
      s.setArray(1, texts(c, ends, FeedEndedEvent::accountId));
      s.setArray(2, texts(c, ends, FeedEndedEvent::feedId));
      s.setArray(3, texts(c, ends, FeedEndedEvent::streamName));
      s.setArray(4, texts(c, ends, e -> nonNull(e.clusterId())));
      s.setArray(5, texts(c, ends, FeedEndedEvent::sourceId));
      s.setArray(6, times(c, ends, FeedEndedEvent::startedAt));
      s.setArray(7, times(c, ends, FeedEndedEvent::occurredAt));
      s.setArray(
          8, c.createArrayOf("bigint", ends.stream().map(e -> e.durationSeconds()).toArray()));
      s.setArray(9, c.createArrayOf("bigint", ends.stream().map(e -> e.bytesIn()).toArray()));
      s.setArray(10, c.createArrayOf("uuid", ends.stream().map(e -> e.eventId()).toArray()));
      return feedRows(s);
    }
  }

  /** Adds viewers to concurrency sums and returns each sum after the addition. */
  public Map<ConcurrencyKey, Long> addConcurrency(Connection c, Map<ConcurrencyKey, Long> adds)
      throws SQLException {
    Map<ConcurrencyKey, Long> sums = new HashMap<>();
    if (adds.isEmpty()) {
      return sums;
    }
    List<Map.Entry<ConcurrencyKey, Long>> list = new ArrayList<>(adds.entrySet());
    list.sort(
        Map.Entry.comparingByKey(
            java.util.Comparator.comparing(ConcurrencyKey::accountId)
                .thenComparing(ConcurrencyKey::clusterId)
                .thenComparing(ConcurrencyKey::at)));
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into concurrency (account_id, cluster_id, at, viewers)"
                + " select * from unnest(?::text[], ?::text[], ?::timestamptz[], ?::bigint[])"
                + " on conflict (account_id, cluster_id, at) do update set"
                + " viewers = concurrency.viewers + excluded.viewers"
                + " returning account_id, cluster_id, at, viewers")) {
      s.setArray(1, texts(c, list, e -> e.getKey().accountId()));
      s.setArray(2, texts(c, list, e -> e.getKey().clusterId()));
      s.setArray(3, times(c, list, e -> e.getKey().at()));
      s.setArray(4, c.createArrayOf("bigint", list.stream().map(Map.Entry::getValue).toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          sums.put(
              new ConcurrencyKey(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()),
              rs.getLong(4));
        }
      }
    }
    return sums;
  }

  /** Adds a batch's contributions to the traffic aggregates, in lock order. */
  public void upsertTraffic(Connection c, Contributions contributions) throws SQLException {
    if (contributions.isEmpty()) {
      return;
    }
    List<Map.Entry<TrafficKey, long[]>> rows = contributions.sortedRows();
    int n = rows.size();
    String[] account = new String[n];
    String[] res = new String[n];
    String[] grp = new String[n];
    String[] bucket = new String[n];
    String[] stream = new String[n];
    String[] tracking = new String[n];
    String[] country = new String[n];
    String[] cluster = new String[n];
    Long[][] metrics = new Long[Metric.ALL.size()][n];
    for (int i = 0; i < n; i++) {
      TrafficKey key = rows.get(i).getKey();
      account[i] = key.accountId();
      res[i] = key.bucket().code();
      grp[i] = key.grouping().code();
      bucket[i] = key.start().toString();
      stream[i] = key.streamName();
      tracking[i] = key.trackingId();
      country[i] = key.country();
      cluster[i] = key.clusterId();
      long[] values = rows.get(i).getValue();
      for (int m = 0; m < values.length; m++) {
        metrics[m][i] = values[m];
      }
    }
    try (PreparedStatement s = c.prepareStatement(TRAFFIC_UPSERT)) {
      int p = 1;
      s.setArray(p++, c.createArrayOf("text", account));
      s.setArray(p++, c.createArrayOf("text", res));
      s.setArray(p++, c.createArrayOf("text", grp));
      s.setArray(p++, c.createArrayOf("text", bucket));
      s.setArray(p++, c.createArrayOf("text", stream));
      s.setArray(p++, c.createArrayOf("text", tracking));
      s.setArray(p++, c.createArrayOf("text", country));
      s.setArray(p++, c.createArrayOf("text", cluster));
      for (Long[] column : metrics) {
        s.setArray(p++, c.createArrayOf("bigint", column));
      }
      s.executeUpdate();
    }
  }

  private static String trafficUpsert() {
    StringBuilder columns = new StringBuilder();
    StringBuilder arrays = new StringBuilder();
    StringBuilder updates = new StringBuilder();
    for (Metric metric : Metric.ALL) {
      columns.append(", ").append(metric.column());
      arrays.append(", ?::bigint[]");
      if (updates.length() > 0) {
        updates.append(", ");
      }
      String c = metric.column();
      updates
          .append(c)
          .append(" = ")
          .append(
              metric.isMaximum()
                  ? "greatest(traffic." + c + ", excluded." + c + ")"
                  : "traffic." + c + " + excluded." + c);
    }
    return "insert into traffic (account_id, res, grp, bucket, stream_name, tracking_id, country,"
        + " cluster_id"
        + columns
        + ") select * from unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[],"
        + " ?::text[], ?::text[], ?::text[]"
        + arrays
        + ") on conflict (account_id, res, grp, bucket, stream_name, tracking_id, country,"
        + " cluster_id) do update set "
        + updates;
  }

  private static Map<String, Boolean> sessionKeys(PreparedStatement s) throws SQLException {
    Map<String, Boolean> applied = new HashMap<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        applied.put(sessionKey(rs.getString(1), rs.getString(2)), rs.getBoolean(3));
      }
    }
    return applied;
  }

  /** Adds to live viewer counters, in key order (keys are {@link #sessionKey} of the stream). */
  public void addLiveViewers(Connection c, Map<String, Long> deltas) throws SQLException {
    List<String> keys = new ArrayList<>();
    deltas.forEach(
        (k, v) -> {
          if (v != 0) {
            keys.add(k);
          }
        });
    if (keys.isEmpty()) {
      return;
    }
    keys.sort(null);
    try (PreparedStatement s =
        c.prepareStatement(
            "insert into live_viewers (account_id, stream_name, viewers)"
                + " select * from unnest(?::text[], ?::text[], ?::bigint[])"
                + " on conflict (account_id, stream_name) do update set"
                + " viewers = live_viewers.viewers + excluded.viewers")) {
      s.setArray(1, texts(c, keys, k -> k.substring(0, k.indexOf('\u0000'))));
      s.setArray(2, texts(c, keys, k -> k.substring(k.indexOf('\u0000') + 1)));
      s.setArray(3, c.createArrayOf("bigint", keys.stream().map(deltas::get).toArray()));
      s.executeUpdate();
    }
  }

  /** The key {@link #applyJoins} and {@link #applyLeaves} return for a session. */
  public static String sessionKey(String accountId, String sessionId) {
    return accountId + '\u0000' + sessionId;
  }

  private static List<FeedRow> feedRows(PreparedStatement s) throws SQLException {
    List<FeedRow> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        Timestamp ended = rs.getTimestamp(7);
        rows.add(
            new FeedRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getBoolean(6),
                ended == null ? null : ended.toInstant(),
                rs.getLong(8),
                rs.getLong(9)));
      }
    }
    return rows;
  }

  private static <T> Array texts(Connection c, List<T> items, Function<T, String> f)
      throws SQLException {
    String[] values = new String[items.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = f.apply(items.get(i));
    }
    return c.createArrayOf("text", values);
  }

  private static <T> Array times(Connection c, List<T> items, Function<T, Instant> f)
      throws SQLException {
    String[] values = new String[items.size()];
    for (int i = 0; i < values.length; i++) {
      Instant instant = f.apply(items.get(i));
      values[i] = instant == null ? null : instant.toString();
    }
    return c.createArrayOf("text", values);
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }
}
