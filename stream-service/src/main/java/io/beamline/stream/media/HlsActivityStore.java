package io.beamline.stream.media;

import static java.time.ZoneOffset.UTC;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What every instance saw of live HLS sessions, in their {@code viewer_session} rows: when each
 * last asked for something and the bytes its files took, so that an instance ends a session only
 * when nobody saw it for the idle timeout, and {@code viewer-left} counts bytes seen anywhere.
 */
@ApplicationScoped
public class HlsActivityStore {

  /** What one instance saw of one grant's session since it last recorded it. */
  public record Activity(String grantId, Instant lastSeen, long bytes) {}

  private final DataSource dataSource;

  public HlsActivityStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Adds each grant's activity to its live session (a later {@code lastSeen} wins, bytes add up);
   * activity of a session no longer live is dropped.
   */
  public void record(Collection<Activity> activity) {
    if (activity.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement update =
            c.prepareStatement(
                // Neither column is indexed: the update can stay on the row's page (HOT).
                "update viewer_session set last_seen_at = greatest(last_seen_at, ?),"
                    + " bytes_out = bytes_out + ? where grant_id = ? and state = 'live'")) {
      c.setAutoCommit(true);
      for (Activity a : activity) {
        // Truncated, not rounded by the database: a reading never comes back later than it was.
        update.setObject(
            1,
            a.lastSeen() == null
                ? null
                : OffsetDateTime.ofInstant(a.lastSeen().truncatedTo(ChronoUnit.MICROS), UTC));
        update.setLong(2, a.bytes());
        update.setString(3, a.grantId());
        update.addBatch();
      }
      update.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record HLS activity: " + e.getMessage(), e);
    }
  }

  /**
   * When each of {@code grantIds}' sessions was last seen by any instance, for those still live (a
   * live session nobody recorded yet maps to its join time).
   */
  public Map<String, Instant> lastSeen(Collection<String> grantIds) {
    Map<String, Instant> seen = new HashMap<>();
    if (grantIds.isEmpty()) {
      return seen;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "select grant_id, coalesce(last_seen_at, joined_at) from viewer_session"
                    + " where grant_id = any (?) and state = 'live'")) {
      select.setArray(1, c.createArrayOf("varchar", grantIds.toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          seen.put(rows.getString(1), rows.getObject(2, OffsetDateTime.class).toInstant());
        }
      }
      return seen;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read HLS activity: " + e.getMessage(), e);
    }
  }

  /**
   * Live HLS sessions nobody recorded activity for since {@code cutoff} (at most {@code limit}):
   * those of an instance that stopped before their viewers left.
   */
  public List<String> unseenSince(Instant cutoff, int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "select id from viewer_session where state = 'live' and protocol = 'hls'"
                    + " and coalesce(last_seen_at, joined_at) < ? limit ?")) {
      select.setObject(1, OffsetDateTime.ofInstant(cutoff, UTC));
      select.setInt(2, limit);
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read unseen HLS sessions: " + e.getMessage(), e);
    }
  }
}
