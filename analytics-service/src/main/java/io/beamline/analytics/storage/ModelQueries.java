package io.beamline.analytics.storage;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Paged reads of the GraphQL models (feeds, viewer sessions, stream and account stats): filters,
 * offset pages, keyset cursors and counts, always within one account.
 */
@ApplicationScoped
public class ModelQueries {

  /** Maps a result row to a model. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /**
   * One readable model: its rows come from {@code from}, ordered by {@code (timeColumn, idColumn)},
   * the key cursors encode.
   */
  public record Model<T>(
      String columns, String from, String timeColumn, String idColumn, RowMapper<T> mapper) {}

  /** Conditions on a model's rows, {@code account_id = ?} always first. */
  public static final class Where {
    private final List<String> clauses = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    public Where(String accountColumn, String accountId) {
      and(accountColumn + " = ?", accountId);
    }

    /** Adds a condition with its parameters (Strings, Instants, Booleans). */
    public Where and(String clause, Object... values) {
      clauses.add(clause);
      params.addAll(List.of(values));
      return this;
    }

    /** Adds the condition only when {@code value} is not null. */
    public Where andIf(Object value, String clause) {
      return value == null ? this : and(clause, value);
    }

    String sql() {
      return String.join(" and ", clauses);
    }
  }

  /** A cursor position: the time and id of a row. */
  public record Key(Instant time, String id) {}

  private final AgroalDataSource dataSource;

  public ModelQueries(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Rows {@code offset..offset+limit} in key order. */
  public <T> List<T> page(Model<T> model, Where where, long offset, int limit) {
    return list(
        model,
        "select "
            + model.columns()
            + " from "
            + model.from()
            + " where "
            + where.sql()
            + order(model)
            + " limit "
            + limit
            + " offset "
            + offset,
        where.params);
  }

  /** Up to {@code limit} rows after {@code after} (from the start when null), in key order. */
  public <T> List<T> after(Model<T> model, Where where, Key after, int limit) {
    List<Object> params = new ArrayList<>(where.params);
    String sql = "select " + model.columns() + " from " + model.from() + " where " + where.sql();
    if (after != null) {
      sql += " and (" + model.timeColumn() + ", " + model.idColumn() + ") > (?, ?)";
      params.add(after.time());
      params.add(after.id());
    }
    return list(model, sql + order(model) + " limit " + limit, params);
  }

  /** Whether any row comes before {@code key}. */
  public boolean anyBefore(Model<?> model, Where where, Key key) {
    List<Object> params = new ArrayList<>(where.params);
    params.add(key.time());
    params.add(key.id());
    return count(
            "select count(*) from (select 1 from "
                + model.from()
                + " where "
                + where.sql()
                + " and ("
                + model.timeColumn()
                + ", "
                + model.idColumn()
                + ") < (?, ?)"
                + " limit 1) x",
            params)
        > 0;
  }

  /** Rows matching {@code where}. */
  public long count(Model<?> model, Where where) {
    return count("select count(*) from " + model.from() + " where " + where.sql(), where.params);
  }

  private static String order(Model<?> model) {
    return " order by " + model.timeColumn() + ", " + model.idColumn();
  }

  private <T> List<T> list(Model<T> model, String sql, List<Object> params) {
    List<T> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(model.mapper().map(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("model query failed: " + e.getMessage(), e);
    }
    return rows;
  }

  private long count(String sql, List<Object> params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("count failed: " + e.getMessage(), e);
    }
  }

  private static void bind(PreparedStatement s, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object value = params.get(i);
      if (value instanceof Instant instant) {
        s.setTimestamp(i + 1, Timestamp.from(instant));
      } else {
        s.setObject(i + 1, value);
      }
    }
  }

  /** An instant column that may be null. */
  public static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /** A bigint column that may be null. */
  public static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }
}
