package io.beamline.stream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.platform.retention.BatchedDelete;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Old history is deleted and nothing a live stream still needs is: sessions that ended before the
 * retention go, later or live ones stay; expired grants go unless a live session still uses one.
 */
@QuarkusTest
class HistoryRetentionTest {

  @Inject HistoryRetention retention;
  @Inject StreamLifecycle lifecycle;
  @Inject DataSource dataSource;

  @Test
  void deletesOldEndedSessionsAndExpiredGrantsOnly() throws Exception {
    String endedLongAgo = join(null);
    String endedYesterday = join(null);
    String live = join(null);
    execute(
        "update viewer_session set state = 'ended', left_at = now() - interval '10 days'"
            + " where id = ?",
        endedLongAgo);
    execute(
        "update viewer_session set state = 'ended', left_at = now() - interval '1 day'"
            + " where id = ?",
        endedYesterday);
    execute("update viewer_session set joined_at = now() - interval '30 days' where id = ?", live);

    String unused = grant(Duration.ofDays(-2));
    String watchedForDays = grant(Duration.ofDays(-2));
    String ofAnEndedSession = grant(Duration.ofDays(-2));
    String fresh = grant(Duration.ofSeconds(60));
    String watching = join(watchedForDays); // a live HLS session, days after its grant expired
    String ended = join(ofAnEndedSession);
    execute("update viewer_session set state = 'ended', left_at = now() where id = ?", ended);

    Instant now = Instant.now();
    long deleted = retention.purge(now.minus(Duration.ofDays(7)), now.minus(Duration.ofDays(1)));

    assertTrue(deleted >= 3, "deleted " + deleted);
    assertEquals(0, count("viewer_session", endedLongAgo));
    assertEquals(1, count("viewer_session", endedYesterday));
    assertEquals(1, count("viewer_session", live));
    assertEquals(1, count("viewer_session", watching));
    assertEquals(1, count("viewer_session", ended));
    assertEquals(0, count("media_grant", unused));
    assertEquals(0, count("media_grant", ofAnEndedSession));
    assertEquals(1, count("media_grant", watchedForDays), "a live session keeps its grant");
    assertEquals(1, count("media_grant", fresh));
  }

  @Test
  void aBacklogGoesInBoundedBatchesOverSeveralRuns() throws Exception {
    try (Connection c = dataSource.getConnection();
        var s = c.createStatement()) {
      s.execute("create table batched_delete_test (id int primary key, at timestamptz not null)");
      s.execute(
          "insert into batched_delete_test select i, now() - make_interval(days => i % 2 * 10)"
              + " from generate_series(1, 11) i"); // 6 old rows (odd ids), 5 recent ones
    }
    try {
      BatchedDelete delete = new BatchedDelete(2, 2);
      Instant before = Instant.now().minus(Duration.ofDays(1));
      String select = "select id from batched_delete_test where at < ?";
      assertEquals(4, delete.run(dataSource, "batched_delete_test", "id", select, before));
      assertEquals(2, delete.run(dataSource, "batched_delete_test", "id", select, before));
      assertEquals(0, delete.run(dataSource, "batched_delete_test", "id", select, before));
      try (Connection c = dataSource.getConnection();
          var s = c.createStatement();
          ResultSet left = s.executeQuery("select count(*) from batched_delete_test")) {
        left.next();
        assertEquals(5, left.getLong(1), "the recent rows stay");
      }
    } finally {
      try (Connection c = dataSource.getConnection();
          var s = c.createStatement()) {
        s.execute("drop table batched_delete_test");
      }
    }
  }

  private String join(String grantId) {
    String id = "v-retention-" + UUID.randomUUID();
    lifecycle.joinViewer(
        new ViewerStart(
            id,
            "acc_retention",
            "retention",
            null,
            null,
            null,
            null,
            grantId == null ? "rtmp" : "hls",
            "node-retention-test",
            null,
            grantId,
            false),
        "default");
    return id;
  }

  private String grant(Duration expiresFromNow) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 22);
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "insert into media_grant (id, action, account_id, stream_name, client_ip, record,"
                    + " multisource, secure, expires_at, created_at)"
                    + " values (?, 'subscribe', 'acc_retention', 'retention', '127.0.0.1', false,"
                    + " false, false, now() + make_interval(secs => ?), now())")) {
      insert.setString(1, id);
      insert.setDouble(2, expiresFromNow.toSeconds());
      insert.executeUpdate();
    }
    return id;
  }

  private long count(String table, String id) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("select count(*) from " + table + " where id = ?")) {
      select.setString(1, id);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private void execute(String sql, String id) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement(sql)) {
      statement.setString(1, id);
      assertEquals(1, statement.executeUpdate(), sql);
    }
  }
}
