package io.beamline.token.authorize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Sessions past the max age are deleted, ended or not; younger ones and consumed credentials stay.
 */
@QuarkusTest
class ViewerSessionRetentionTest {

  @Inject ViewerSessionRetention retention;
  @Inject DataSource dataSource;

  @Test
  void deletesSessionsThatStartedBeforeTheCutoffOnly() throws Exception {
    String oldLive = session(Duration.ofHours(20), false);
    String oldEnded = session(Duration.ofHours(20), true);
    String recentEnded = session(Duration.ofHours(2), true);
    String recentLive = session(Duration.ZERO, false);
    String credential = "token:retention-" + UUID.randomUUID();
    execute(
        "INSERT INTO consumed_viewer_token (viewer_token_id, token_id, viewer_session_id,"
            + " consumed_at) VALUES (?, 1, ?, now() - interval '20 hours')",
        credential,
        oldEnded);

    long deleted = retention.purge(Instant.now().minus(Duration.ofHours(13)));

    assertTrue(deleted >= 2, "deleted " + deleted);
    assertEquals(0, count("viewer_session", "viewer_session_id", oldLive));
    assertEquals(0, count("viewer_session", "viewer_session_id", oldEnded));
    assertEquals(1, count("viewer_session", "viewer_session_id", recentEnded));
    assertEquals(1, count("viewer_session", "viewer_session_id", recentLive));
    assertEquals(
        1,
        count("consumed_viewer_token", "viewer_token_id", credential),
        "a single-use credential stays consumed");
  }

  private String session(Duration startedAgo, boolean ended) throws Exception {
    String id = "v-retention-" + UUID.randomUUID();
    execute(
        "INSERT INTO viewer_session (viewer_session_id, token_id, started_at, ended_at)"
            + " VALUES (?, 1, now() - make_interval(secs => "
            + startedAgo.toSeconds()
            + "), "
            + (ended ? "now()" : "NULL")
            + ")",
        id);
    return id;
  }

  private long count(String table, String column, String id) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("SELECT count(*) FROM " + table + " WHERE " + column + " = ?")) {
      select.setString(1, id);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private void execute(String sql, String... parameters) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      assertEquals(1, statement.executeUpdate(), sql);
    }
  }
}
