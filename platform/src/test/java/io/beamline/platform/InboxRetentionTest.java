package io.beamline.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.platform.inbox.ProcessedEventRetention;
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

/** Applied event ids older than the retention are forgotten; younger ones are kept. */
@QuarkusTest
class InboxRetentionTest {

  private static final String CONSUMER = "inbox-retention-test";

  @Inject ProcessedEventRetention retention;
  @Inject DataSource dataSource;

  @Test
  void forgetsOnlyEventsAppliedBeforeTheCutoff() throws Exception {
    UUID old = applied(Duration.ofDays(40));
    UUID older = applied(Duration.ofDays(400));
    UUID recent = applied(Duration.ofDays(2));

    long forgotten = retention.purge(Instant.now().minus(Duration.ofDays(30)));

    assertTrue(forgotten >= 2, "forgot " + forgotten);
    assertEquals(0, count(old));
    assertEquals(0, count(older));
    assertEquals(1, count(recent), "within the retention: a redelivery is still refused");
  }

  private UUID applied(Duration ago) throws Exception {
    UUID id = UUID.randomUUID();
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "insert into processed_event (consumer, event_id, topic, processed_at)"
                    + " values (?, ?, 'tick-recorded', now() - make_interval(secs => ?))")) {
      insert.setString(1, CONSUMER);
      insert.setObject(2, id);
      insert.setDouble(3, ago.toSeconds());
      insert.executeUpdate();
    }
    return id;
  }

  private long count(UUID id) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "select count(*) from processed_event where consumer = ? and event_id = ?")) {
      select.setString(1, CONSUMER);
      select.setObject(2, id);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }
}
