package io.beamline.stream.media;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Renditions' numberings in PostgreSQL ({@code hls_rendition}): written only when a rendition's
 * feed changes, read when an instance meets a rendition or a change it does not know yet.
 */
@ApplicationScoped
public class HlsNumberingStore implements HlsNumberings {

  private final DataSource dataSource;

  public HlsNumberingStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Optional<HlsNumbering> read(String streamId, String rendition) {
    try (Connection c = dataSource.getConnection()) {
      return read(c, streamId, rendition);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read HLS rendition numbering: " + e.getMessage(), e);
    }
  }

  @Override
  public HlsNumbering propose(
      String streamId, String rendition, String replacedFeedId, HlsNumbering proposed) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement upsert =
            c.prepareStatement(
                "insert into hls_rendition (stream_id, rendition, feed_id, sequence_offset,"
                    + " first_feed_sequence, switch_sequence, discontinuities, updated_at)"
                    + " values (?, ?, ?, ?, ?, ?, ?, now())"
                    + " on conflict (stream_id, rendition) do update set"
                    + " feed_id = excluded.feed_id, sequence_offset = excluded.sequence_offset,"
                    + " first_feed_sequence = excluded.first_feed_sequence,"
                    + " switch_sequence = excluded.switch_sequence,"
                    + " discontinuities = excluded.discontinuities, updated_at = now()"
                    // Only over what the proposer saw: else another instance decided first.
                    + " where hls_rendition.feed_id = ?")) {
      c.setAutoCommit(true);
      upsert.setString(1, streamId);
      upsert.setString(2, rendition);
      upsert.setString(3, proposed.feedId());
      upsert.setLong(4, proposed.offset());
      upsert.setLong(5, proposed.firstFeedSequence());
      upsert.setLong(6, proposed.switchSequence());
      upsert.setLong(7, proposed.discontinuities());
      upsert.setString(8, replacedFeedId == null ? "" : replacedFeedId);
      upsert.executeUpdate();
      return read(c, streamId, rendition).orElse(proposed);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store HLS rendition numbering: " + e.getMessage(), e);
    }
  }

  private static Optional<HlsNumbering> read(Connection c, String streamId, String rendition)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "select feed_id, sequence_offset, first_feed_sequence, switch_sequence,"
                + " discontinuities from hls_rendition where stream_id = ? and rendition = ?")) {
      select.setString(1, streamId);
      select.setString(2, rendition);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new HlsNumbering(
                rows.getString(1),
                rows.getLong(2),
                rows.getLong(3),
                rows.getLong(4),
                rows.getLong(5)));
      }
    }
  }
}
