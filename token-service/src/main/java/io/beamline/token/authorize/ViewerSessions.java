package io.beamline.token.authorize;

import io.beamline.platform.problem.ApiProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;

/**
 * Admits viewer sessions when their media actually starts, enforcing a subscribe token's viewer cap
 * and consuming single-use credentials then (not on the first request, so a viewer who asked before
 * the stream went live can still watch). The database makes instances agree.
 */
@ApplicationScoped
public class ViewerSessions {

  /** Advisory-lock class for admitting viewers of one token ("vs"). */
  static final int SESSION_LOCK = 0x7673;

  private final DataSource dataSource;
  private final TokenIndex index;
  private final DatabaseUsageGuard guard;
  private final AuthorizeConfig config;

  public ViewerSessions(
      DataSource dataSource, TokenIndex index, DatabaseUsageGuard guard, AuthorizeConfig config) {
    this.dataSource = dataSource;
    this.index = index;
    this.guard = guard;
    this.config = config;
  }

  /**
   * Admits a session, or refuses it with 409 {@code viewer_limit_reached} or {@code
   * token_already_used}. Idempotent: starting the same session twice admits it once.
   */
  public void start(ViewerSessionStart start) {
    TokenRules token = index.subscribe(start.tokenId());
    if (token == null
        || (start.accountId() != null && !start.accountId().equals(token.accountId()))) {
      throw ApiProblemException.notFound("subscribe token", Long.toString(start.tokenId()));
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Integer cap = token.definition().maxConcurrentViewers();
        if (cap == null && start.viewerTokenId() == null) {
          // Nothing to enforce: record the session (a cap set later counts it) without the
          // per-token lock, so that a crowd joining through one token is not served one by one.
          record(connection, start);
          connection.commit();
          return;
        }
        lock(connection, start.tokenId());
        if (exists(connection, start.viewerSessionId())) {
          connection.commit();
          return;
        }
        if (start.viewerTokenId() != null && !consume(connection, start)) {
          guard.markConsumed(start.viewerTokenId());
          throw ApiProblemException.conflict(
              Reason.TOKEN_ALREADY_USED.code(),
              "viewerTokenId: this single-use viewer token has already started media");
        }
        if (cap != null) {
          int live = DatabaseUsageGuard.countLive(connection, start.tokenId(), config);
          if (live >= cap) {
            throw ApiProblemException.conflict(
                Reason.VIEWER_LIMIT_REACHED.code(),
                "subscribe token " + start.tokenId() + " already has " + live + " viewers");
          }
        }
        record(connection, start);
        connection.commit();
        if (start.viewerTokenId() != null) {
          guard.markConsumed(start.viewerTokenId());
        }
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot admit a viewer session: " + e.getMessage(), e);
    }
  }

  /** Ends a session; unknown or already ended sessions are ignored. */
  public void end(String viewerSessionId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE viewer_session SET ended_at = now()"
                    + " WHERE viewer_session_id = ? AND ended_at IS NULL")) {
      update.setString(1, viewerSessionId);
      update.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot end a viewer session: " + e.getMessage(), e);
    }
  }

  /**
   * Applies viewer events in one transaction: a join records its session, a leave ends it (or
   * records it ended, when the join comes later or never). Applying them again changes nothing.
   */
  public void apply(List<ViewerSessionEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement join =
              connection.prepareStatement(
                  "INSERT INTO viewer_session (viewer_session_id, token_id, started_at)"
                      + " VALUES (?, ?, ?) ON CONFLICT (viewer_session_id) DO NOTHING");
          PreparedStatement leave =
              connection.prepareStatement(
                  "INSERT INTO viewer_session (viewer_session_id, token_id, started_at, ended_at)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (viewer_session_id) DO UPDATE"
                      + " SET ended_at = COALESCE(viewer_session.ended_at, EXCLUDED.ended_at)")) {
        int joins = 0;
        int leaves = 0;
        for (ViewerSessionEvent event : events) {
          PreparedStatement statement = event.endedAt() == null ? join : leave;
          statement.setString(1, event.sessionId());
          statement.setLong(2, event.tokenId());
          statement.setObject(3, OffsetDateTime.ofInstant(event.startedAt(), ZoneOffset.UTC));
          if (event.endedAt() != null) {
            statement.setObject(4, OffsetDateTime.ofInstant(event.endedAt(), ZoneOffset.UTC));
            leaves++;
          } else {
            joins++;
          }
          statement.addBatch();
        }
        // Joins first: a leave in the same poll then ends the row its join just wrote.
        if (joins > 0) {
          join.executeBatch();
        }
        if (leaves > 0) {
          leave.executeBatch();
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record viewer sessions: " + e.getMessage(), e);
    }
  }

  /** Inserts the session; starting one that exists already changes nothing (idempotent). */
  private static void record(Connection connection, ViewerSessionStart start) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO viewer_session (viewer_session_id, token_id, viewer_token_id)"
                + " VALUES (?, ?, ?) ON CONFLICT (viewer_session_id) DO NOTHING")) {
      insert.setString(1, start.viewerSessionId());
      insert.setLong(2, start.tokenId());
      insert.setString(3, start.viewerTokenId());
      insert.executeUpdate();
    }
  }

  private static void lock(Connection connection, long tokenId) throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
      lock.setInt(1, SESSION_LOCK);
      lock.setInt(2, (int) tokenId);
      lock.execute();
    }
  }

  private static boolean exists(Connection connection, String sessionId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT 1 FROM viewer_session WHERE viewer_session_id = ?")) {
      select.setString(1, sessionId);
      return select.executeQuery().next();
    }
  }

  private static boolean consume(Connection connection, ViewerSessionStart start)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO consumed_viewer_token (viewer_token_id, token_id, viewer_session_id)"
                + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      insert.setString(1, start.viewerTokenId());
      insert.setLong(2, start.tokenId());
      insert.setString(3, start.viewerSessionId());
      return insert.executeUpdate() == 1;
    }
  }
}
