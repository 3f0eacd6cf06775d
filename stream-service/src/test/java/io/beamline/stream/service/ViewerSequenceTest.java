package io.beamline.stream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A crowd joining and leaving one stream at once, against the real database: joins no longer lock
 * the stream's row, so this proves every viewer event still takes its own sequence number and a
 * session racing to end twice is announced once.
 */
@QuarkusTest
class ViewerSequenceTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VIEWERS = 120;

  @Inject StreamLifecycle lifecycle;
  @Inject DataSource dataSource;

  @Test
  void concurrentJoinsAndLeavesOfOneStreamTakeDistinctSequencesAndEndOnce() throws Exception {
    String account = "acc_seq_" + UUID.randomUUID().toString().substring(0, 8);
    String streamId = account + "/crowd";
    sql(
        "insert into live_stream (id, account_id, stream_name, state, sequence, cluster_id,"
            + " updated_at) values ('"
            + streamId
            + "', '"
            + account
            + "', 'crowd', 'live', 7, 'default', now())");

    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> joins = new ArrayList<>();
      for (int i = 0; i < VIEWERS; i++) {
        int n = i;
        joins.add(
            pool.submit(
                () ->
                    lifecycle.joinViewer(
                            new ViewerStart(
                                "v-seq-" + UUID.randomUUID(),
                                account,
                                "crowd",
                                "feed-seq",
                                null,
                                null,
                                null,
                                "rtmp",
                                "node-seq",
                                "c" + n,
                                null,
                                false),
                            "default")
                        .id));
      }
      List<String> sessions = new ArrayList<>();
      for (Future<String> join : joins) {
        sessions.add(join.get());
      }

      // Every session is ended twice at the same time (say on_play_done and a revocation).
      AtomicInteger ended = new AtomicInteger();
      List<Future<?>> leaves = new ArrayList<>();
      for (String session : sessions) {
        for (int twice = 0; twice < 2; twice++) {
          leaves.add(
              pool.submit(
                  () -> {
                    if (lifecycle.endViewer(session, "viewer-disconnected")) {
                      ended.incrementAndGet();
                    }
                  }));
        }
      }
      for (Future<?> leave : leaves) {
        leave.get();
      }
      assertEquals(VIEWERS, ended.get(), "each session ends once");
    } finally {
      pool.shutdownNow();
    }

    List<Long> sequences = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("select payload from outbox_event where event_key = ?")) {
      select.setString(1, streamId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          sequences.add(JSON.readTree(rows.getString(1)).path("sequence").asLong());
        }
      }
    }
    assertEquals(2 * VIEWERS, sequences.size(), "one viewer-joined and one viewer-left each");
    Set<Long> distinct = new HashSet<>(sequences);
    assertEquals(sequences.size(), distinct.size(), "no sequence number is given twice");
    assertEquals(8L, distinct.stream().mapToLong(Long::longValue).min().orElseThrow());
    // A session ended twice at once may leave an unused number (the contract allows gaps), but
    // every number given out comes from the stream's counter.
    long counter;
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement("select sequence from live_stream where id = ?")) {
      select.setString(1, streamId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        counter = row.getLong(1);
      }
    }
    long newest = distinct.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(newest <= counter, "every number comes from the stream's counter");
    // 120 joins and 240 end attempts: at most one number each, the losing ends' unused.
    assertTrue(
        counter - 7 <= 3L * VIEWERS, "at most one number per join or end attempt: " + counter);
  }

  private void sql(String statement) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(statement)) {
      s.executeUpdate();
    }
  }
}
