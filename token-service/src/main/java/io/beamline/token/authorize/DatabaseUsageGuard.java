package io.beamline.token.authorize;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The cross-instance part of the decision in PostgreSQL: first-use IP bindings (a per-token
 * advisory lock and a primary key make instances agree), live viewer counts and consumed single-use
 * credentials. What can only grow is cached, so repeat requests skip the database.
 */
@ApplicationScoped
public class DatabaseUsageGuard implements UsageGuard {

  /** Advisory-lock class for IP binding ("ip"); the object id is the token id. */
  static final int BINDING_LOCK = 0x6970;

  private final DataSource dataSource;
  private final AuthorizeConfig config;
  private final Map<Long, Set<String>> bindings = new ConcurrentHashMap<>();
  private final Set<String> consumed = ConcurrentHashMap.newKeySet();

  public DatabaseUsageGuard(DataSource dataSource, AuthorizeConfig config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  @Override
  public Set<String> cachedBindings(TokenRef token) {
    return bindings.get(token.id());
  }

  @Override
  public Set<String> bindings(TokenRef token) {
    try (Connection connection = dataSource.getConnection()) {
      Set<String> bound = read(connection, token.id());
      bindings.put(token.id(), bound);
      return bound;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read IP bindings: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean bind(TokenRef token, String address, int limit) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        try (PreparedStatement lock =
            connection.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
          lock.setInt(1, BINDING_LOCK);
          lock.setInt(2, (int) token.id());
          lock.execute();
        }
        Set<String> bound = read(connection, token.id());
        boolean ok = bound.contains(address);
        if (!ok && bound.size() < limit) {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO token_ip_binding (token_id, address) VALUES (?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            insert.setLong(1, token.id());
            insert.setString(2, address);
            insert.executeUpdate();
          }
          bound = new HashSet<>(bound);
          bound.add(address);
          ok = true;
        }
        connection.commit();
        bindings.put(token.id(), Set.copyOf(bound));
        return ok;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot bind an address: " + e.getMessage(), e);
    }
  }

  @Override
  public int liveViewers(TokenRef token) {
    try (Connection connection = dataSource.getConnection()) {
      return countLive(connection, token.id(), config);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count viewers: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean knownConsumed(String viewerTokenId) {
    return consumed.contains(viewerTokenId);
  }

  @Override
  public boolean consumed(String viewerTokenId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT 1 FROM consumed_viewer_token WHERE viewer_token_id = ?")) {
      statement.setString(1, viewerTokenId);
      try (ResultSet rows = statement.executeQuery()) {
        boolean used = rows.next();
        if (used) {
          consumed.add(viewerTokenId);
        }
        return used;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read consumed tokens: " + e.getMessage(), e);
    }
  }

  /** Remembers a credential this instance saw consumed. */
  void markConsumed(String viewerTokenId) {
    consumed.add(viewerTokenId);
  }

  static int countLive(Connection connection, long tokenId, AuthorizeConfig config)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM viewer_session WHERE token_id = ? AND ended_at IS NULL"
                + " AND started_at > now() - make_interval(secs => ?)")) {
      statement.setLong(1, tokenId);
      statement.setDouble(2, config.viewerSessionMaxAge().toSeconds());
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  private static Set<String> read(Connection connection, long tokenId) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT address FROM token_ip_binding WHERE token_id = ?")) {
      statement.setLong(1, tokenId);
      try (ResultSet rows = statement.executeQuery()) {
        Set<String> bound = new HashSet<>();
        while (rows.next()) {
          bound.add(rows.getString(1));
        }
        return Set.copyOf(bound);
      }
    }
  }
}
