package io.beamline.stream.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The grouped viewer-join writer against the real database: per-stream order and gap-free numbers
 * under a crowd, a failed group that answers every member with an error and leaves nothing behind,
 * and a database session killed in the middle of a group (as in a crash) that loses no event of a
 * join that was answered.
 */
@QuarkusTest
class ViewerJoinWriterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject StreamLifecycle lifecycle;
  @Inject ViewerJoinWriter writer;
  @Inject DataSource dataSource;

  @AfterEach
  void noFault() {
    writer.beforeCommit(null);
  }

  @Test
  void aCrowdOnTwoStreamsGetsGapFreeNumbersInCommitOrder() throws Exception {
    String account = account();
    stream(account, "a", 5);
    stream(account, "b", 0);
    Map<String, Outcome> outcomes = joinConcurrently(account, List.of("a", "b"), 300, 32);

    assertTrue(outcomes.values().stream().allMatch(o -> o.joined), "every join is answered");
    assertEquals(300, sessionsStored(outcomes.keySet()), "every session is stored");
    assertGapFree(account + "/a", 6, 150);
    assertGapFree(account + "/b", 1, 150);
  }

  @Test
  void aFailedGroupAnswersEveryMemberWithAnErrorAndStoresNothing() throws Exception {
    String account = account();
    stream(account, "f", 0);
    AtomicBoolean failedOnce = new AtomicBoolean();
    // Fail the first group that holds more than one join, and every group holding a "poison" one.
    writer.beforeCommit(
        (connection, group) -> {
          boolean poison = group.stream().anyMatch(s -> s.mediaClientId().startsWith("p"));
          if (poison || (group.size() > 1 && failedOnce.compareAndSet(false, true))) {
            throw new SQLException("injected failure before commit");
          }
        });
    Map<String, Outcome> outcomes = joinConcurrently(account, List.of("f"), 200, 24);

    List<String> failed =
        outcomes.keySet().stream().filter(id -> !outcomes.get(id).joined).toList();
    List<String> joined = outcomes.keySet().stream().filter(id -> outcomes.get(id).joined).toList();
    assertFalse(failed.isEmpty(), "some groups failed");
    assertTrue(
        outcomes.entrySet().stream()
            .filter(e -> outcomes.get(e.getKey()).poison)
            .noneMatch(e -> e.getValue().joined),
        "a join in a failed group is answered with an error");
    assertEquals(0, sessionsStored(failed), "nothing of a failed group is stored");
    assertEquals(0, eventsOf(failed), "no event for a join answered with an error");
    assertEquals(joined.size(), sessionsStored(joined));
    assertEquals(joined.size(), eventsOf(joined));
    // The failed groups' numbers were rolled back with them: the stream's numbers stay gap-free.
    assertGapFree(account + "/f", 1, joined.size());
  }

  @Test
  void aDatabaseSessionKilledMidGroupLosesNoAnsweredJoin() throws Exception {
    String account = account();
    stream(account, "k", 0);
    CountDownLatch killed = new CountDownLatch(1);
    writer.beforeCommit(
        (connection, group) -> {
          if (killed.getCount() > 0) {
            killed.countDown();
            // As in a crash of the database session: the server ends it before the commit.
            int pid;
            try (PreparedStatement self = connection.prepareStatement("select pg_backend_pid()");
                ResultSet row = self.executeQuery()) {
              row.next();
              pid = row.getInt(1);
            }
            try (Connection other = dataSource.getConnection();
                PreparedStatement kill = other.prepareStatement("select pg_terminate_backend(?)")) {
              kill.setInt(1, pid);
              kill.executeQuery().close();
            }
          }
        });
    Map<String, Outcome> outcomes = joinConcurrently(account, List.of("k"), 120, 16);

    assertEquals(0, killed.getCount(), "a group's session was killed");
    List<String> failed =
        outcomes.keySet().stream().filter(id -> !outcomes.get(id).joined).toList();
    List<String> joined = outcomes.keySet().stream().filter(id -> outcomes.get(id).joined).toList();
    assertFalse(failed.isEmpty(), "the killed group's joins were answered with an error");
    assertFalse(joined.isEmpty(), "the writer goes on after the killed group");
    assertEquals(0, sessionsStored(failed));
    assertEquals(0, eventsOf(failed));
    assertEquals(joined.size(), eventsOf(joined), "every answered join has its event");
    assertGapFree(account + "/k", 1, joined.size());
    // ... and the relay publishes every one of them.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                count(
                        "select count(*) from outbox_event where event_key = '"
                            + account
                            + "/k' and published_at is null")
                    == 0);
  }

  private record Outcome(boolean joined, boolean poison) {}

  /** {@code joins} joins spread over {@code streams}, from {@code threads} threads at once. */
  private Map<String, Outcome> joinConcurrently(
      String account, List<String> streams, int joins, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Map<String, Future<Boolean>> futures = new LinkedHashMap<>();
    Map<String, Boolean> poison = new LinkedHashMap<>();
    try {
      for (int i = 0; i < joins; i++) {
        String session = "v-batch-" + UUID.randomUUID();
        String streamName = streams.get(i % streams.size());
        boolean isPoison = i % 50 == 25;
        String client = (isPoison ? "p" : "c") + i;
        poison.put(session, isPoison);
        futures.put(
            session,
            pool.submit(
                () -> {
                  try {
                    lifecycle.joinViewer(
                        new ViewerStart(
                            session,
                            account,
                            streamName,
                            "feed-batch",
                            42L,
                            null,
                            null,
                            "rtmp",
                            "node-batch",
                            client,
                            null,
                            false),
                        "default");
                    return true;
                  } catch (IllegalStateException e) {
                    return false;
                  }
                }));
      }
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (Map.Entry<String, Future<Boolean>> f : futures.entrySet()) {
        outcomes.put(f.getKey(), new Outcome(f.getValue().get(), poison.get(f.getKey())));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The stream's viewer-joined events, in outbox (publication) order, are numbered {@code first},
   * {@code first + 1}, ... without a gap, and the stream's counter stands at the last of them.
   */
  private void assertGapFree(String streamId, long first, int expected) throws Exception {
    List<Long> sequences = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "select payload from outbox_event where event_key = ? order by position")) {
      select.setString(1, streamId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          sequences.add(JSON.readTree(rows.getString(1)).path("sequence").asLong());
        }
      }
    }
    assertEquals(expected, sequences.size(), "events of " + streamId);
    for (int i = 0; i < sequences.size(); i++) {
      assertEquals(first + i, sequences.get(i), "event " + i + " of " + streamId);
    }
    assertEquals(
        first + expected - 1,
        count("select sequence from live_stream where id = '" + streamId + "'"),
        "the counter of " + streamId);
  }

  private long sessionsStored(java.util.Collection<String> sessionIds) throws Exception {
    if (sessionIds.isEmpty()) {
      return 0;
    }
    return count(
        "select count(*) from viewer_session where id in ('"
            + String.join("','", sessionIds)
            + "')");
  }

  /** viewer-joined events in the outbox naming one of {@code sessionIds}. */
  private long eventsOf(List<String> sessionIds) throws Exception {
    Set<String> wanted = new HashSet<>(sessionIds);
    long found = 0;
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("select payload from outbox_event where topic = 'viewer-joined'");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        JsonNode event = JSON.readTree(rows.getString(1));
        if (wanted.contains(event.path("viewerSessionId").asText())) {
          found++;
        }
      }
    }
    return found;
  }

  private static String account() {
    return "acc_jw_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private void stream(String account, String name, long sequence) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "insert into live_stream (id, account_id, stream_name, state, sequence,"
                    + " cluster_id, updated_at) values (?, ?, ?, 'live', ?, 'default', now())")) {
      insert.setString(1, account + "/" + name);
      insert.setString(2, account);
      insert.setString(3, name);
      insert.setLong(4, sequence);
      insert.executeUpdate();
    }
  }

  private long count(String sql) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(sql);
        ResultSet row = select.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }
}
