package io.beamline.stream.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Takes a stream's next event sequence number in a tiny transaction of its own, so that viewer
 * joins and leaves, which are many, do not queue on the stream's row until their own commit.
 *
 * <p>The whole transaction ({@code begin; update ... returning; commit}) goes to PostgreSQL in one
 * round trip, so the row is locked only while the server runs it, not across network round trips
 * and the caller's transaction. Lifecycle changes (feeds, start, end) still lock the row for their
 * whole transaction and take their number from the entity; each waits for the other, so no number
 * is given twice.
 *
 * <p>It commits without waiting for its WAL flush: the event that uses the number commits
 * synchronously afterwards, and PostgreSQL flushes WAL in order, so a durable event implies a
 * durable counter. A crash in between only leaves a gap, which the contract allows (the sequence
 * grows; it is not dense).
 */
@ApplicationScoped
public class StreamSequences {

  private final DataSource dataSource;

  public StreamSequences(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The next sequence of {@code streamId}, or empty when there is no such stream row. */
  public OptionalLong next(String streamId) {
    // Outside the caller's JTA transaction: a connection in auto-commit mode, whose explicit
    // begin/commit below is the whole transaction.
    return QuarkusTransaction.suspendingExisting().call(() -> allocate(streamId));
  }

  private OptionalLong allocate(String streamId) throws SQLException {
    // Stream ids are "<account>/<name>" from validated characters; quotes are doubled anyway.
    // Only `sequence`, which no index covers: the update stays a HOT one (see V6 migration).
    String sql =
        "begin; set local synchronous_commit = off;"
            + " update live_stream set sequence = sequence + 1 where id = '"
            + streamId.replace("'", "''")
            + "' returning sequence; commit";
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      OptionalLong sequence = OptionalLong.empty();
      boolean isResult = statement.execute(sql);
      while (true) {
        if (isResult) {
          try (ResultSet row = statement.getResultSet()) {
            if (row.next()) {
              sequence = OptionalLong.of(row.getLong(1));
            }
          }
        } else if (statement.getUpdateCount() == -1) {
          return sequence;
        }
        isResult = statement.getMoreResults();
      }
    }
  }
}
