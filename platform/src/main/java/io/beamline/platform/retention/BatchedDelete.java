package io.beamline.platform.retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * Deletes old rows in bounded batches, each its own short transaction, so that a backlog of history
 * (a row per viewer, say) never holds locks or a transaction open for long; what is left after
 * {@code maxStatements} batches goes at the next run.
 *
 * @param batch rows one statement deletes at most
 * @param maxStatements statements one {@link #run} executes at most
 */
public record BatchedDelete(int batch, int maxStatements) {

  /**
   * Deletes with {@code select}, a query of row ids older than its one timestamp parameter: {@code
   * delete from <table> where <idColumn> in (<select> limit <batch>)}, repeated while batches come
   * back full.
   *
   * @return how many rows were deleted
   */
  public long run(
      DataSource dataSource, String table, String idColumn, String select, Instant before) {
    String sql =
        "delete from " + table + " where " + idColumn + " in (" + select + " limit " + batch + ")";
    long deleted = 0;
    try (Connection c = dataSource.getConnection();
        PreparedStatement delete = c.prepareStatement(sql)) {
      c.setAutoCommit(true);
      delete.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
      for (int i = 0; i < maxStatements; i++) {
        int rows = delete.executeUpdate();
        deleted += rows;
        if (rows < batch) {
          break;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot delete old rows of " + table + ": " + e.getMessage(), e);
    }
    return deleted;
  }
}
