package io.beamline.stream.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.stream.service.HlsViewerBytes;
import io.beamline.stream.service.StreamLifecycle;
import io.beamline.stream.service.ViewerStart;
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
 * HLS sessions served by several instances against the real database: an instance does not end a
 * session another one serves, bytes counted by any instance reach {@code viewer-left}, a session
 * whose instance stopped is ended by another, and a lone instance ends an idle session in time.
 * Each instance here is an {@link HlsSessions} of its own, driven with explicit clock readings.
 */
@QuarkusTest
class HlsSessionsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration IDLE = Duration.ofSeconds(4); // records every second

  @Inject StreamLifecycle lifecycle;
  @Inject HlsActivityStore store;
  @Inject DataSource dataSource;

  @Test
  void anInstanceIdleOnASessionLeavesItToTheInstanceServingIt() throws Exception {
    Session s = join();
    HlsSessions a = instance(new HlsViewerBytes());
    HlsSessions b = instance(new HlsViewerBytes());
    // Clock readings ahead of the wall clock, so that this application's own instance never finds
    // the session unseen meanwhile.
    Instant t0 = Instant.now().plus(Duration.ofMinutes(10));
    a.remember(s.grantId, s.id, t0);
    b.remember(s.grantId, s.id, t0);

    // The player's requests now all reach b.
    assertTrue(b.touch(s.grantId, t0.plusSeconds(10)));
    b.tick(t0.plusSeconds(10));
    a.tick(t0.plusSeconds(10));
    assertFalse(a.holds(s.grantId), "a leaves the session to b");
    assertEquals("live", state(s.id), "a session another instance serves is not ended");

    b.tick(t0.plusMillis(14_500)); // idle on b, but its last request may not be recorded yet
    assertEquals("live", state(s.id));
    b.tick(t0.plusSeconds(16)); // nobody saw it for the timeout and a recording interval
    assertEquals("ended", state(s.id));
    assertEquals("idle-timeout", column(s.id, "end_reason"));
  }

  @Test
  void bytesCountedByAnyInstanceReachViewerLeft() throws Exception {
    Session s = join();
    HlsViewerBytes bytesOfA = new HlsViewerBytes();
    HlsViewerBytes bytesOfB = new HlsViewerBytes();
    HlsSessions a = instance(bytesOfA);
    HlsSessions b = instance(bytesOfB);
    Instant t0 = Instant.now().plus(Duration.ofMinutes(10));
    a.remember(s.grantId, s.id, t0);
    bytesOfA.add(s.grantId, 500);
    bytesOfB.add(s.grantId, 1_000); // the node's traffic log reached b, which never saw a request

    b.tick(t0);
    a.tick(t0);
    assertEquals("1500", column(s.id, "bytes_out"));
    bytesOfA.add(s.grantId, 250);
    a.tick(t0.plusSeconds(6)); // ends it: the last bytes are recorded first
    assertEquals("ended", state(s.id));
    assertEquals(1_750, viewerLeftBytes(s.id));
  }

  @Test
  void aSessionWhoseInstanceStoppedIsEndedByAnother() throws Exception {
    Session orphan = join();
    Session held = join();
    // Their instance stopped an hour ago; `held` has since been taken up by the instance below.
    execute(
        "update viewer_session set last_seen_at = now() - interval '1 hour' where id in (?, ?)",
        orphan.id,
        held.id);
    HlsSessions other = instance(new HlsViewerBytes());
    other.remember(held.grantId, held.id, Instant.now());

    Instant now = Instant.now();
    other.tick(now); // records what it saw of `held`
    assertEquals("live", state(orphan.id), "no sweep before the first interval");
    other.endUnheld(now); // as its sweep does every 30 s
    assertEquals("ended", state(orphan.id));
    assertEquals("live", state(held.id));
    assertTrue(other.holds(held.grantId));
  }

  @Test
  void aSessionEndedByAnotherInstanceIsRefusedHereAfterTheNextTick() throws Exception {
    Session s = join();
    HlsSessions b = instance(new HlsViewerBytes());
    Instant now = Instant.now();
    b.remember(s.grantId, s.id, now);
    b.tick(now);
    assertTrue(b.touch(s.grantId, now));

    // Another instance consumed the token's revocation and ended it there.
    assertTrue(lifecycle.endViewer(s.id, "token-revoked"));
    b.tick(now.plusSeconds(1));
    assertFalse(b.holds(s.grantId));
    assertFalse(b.touch(s.grantId, now.plusSeconds(1)), "its next request is looked up again");
    assertEquals("token-revoked", column(s.id, "end_reason"));
  }

  @Test
  void aLoneInstanceEndsAnIdleSessionAfterTheTimeoutAndOneRecordingInterval() throws Exception {
    Session s = join();
    HlsSessions a = instance(new HlsViewerBytes());
    Instant t0 = Instant.now().plus(Duration.ofMinutes(10));
    a.remember(s.grantId, s.id, t0);
    a.tick(t0);
    a.tick(t0.plusMillis(4_500));
    assertTrue(a.holds(s.grantId));
    assertEquals("live", state(s.id));
    a.tick(t0.plusMillis(5_500));
    assertFalse(a.holds(s.grantId));
    assertEquals("ended", state(s.id));
  }

  private HlsSessions instance(HlsViewerBytes bytes) {
    return new HlsSessions(lifecycle, IDLE, store, bytes);
  }

  private record Session(String id, String grantId) {}

  private Session join() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String id = "v-hls-test-" + suffix;
    String grantId = "g-hls-test-" + suffix;
    lifecycle.joinViewer(
        new ViewerStart(
            id,
            "acc_hls_" + suffix,
            "hls-sessions",
            null,
            null,
            null,
            null,
            "hls",
            "node-hls-test",
            null,
            grantId,
            false),
        "default");
    return new Session(id, grantId);
  }

  private String state(String sessionId) throws Exception {
    return column(sessionId, "state");
  }

  private String column(String sessionId, String column) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("select " + column + " from viewer_session where id = ?")) {
      select.setString(1, sessionId);
      try (ResultSet row = select.executeQuery()) {
        assertTrue(row.next(), "no session " + sessionId);
        return row.getString(1);
      }
    }
  }

  private long viewerLeftBytes(String sessionId) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "select payload from outbox_event where topic = 'viewer-left'"
                    + " and payload like ?")) {
      select.setString(1, "%" + sessionId + "%");
      try (ResultSet row = select.executeQuery()) {
        assertTrue(row.next(), "no viewer-left for " + sessionId);
        long bytes = JSON.readTree(row.getString(1)).get("bytesOut").asLong();
        assertFalse(row.next(), "one viewer-left per session");
        return bytes;
      }
    }
  }

  private void execute(String sql, String... parameters) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      statement.executeUpdate();
    }
  }
}
