package io.beamline.token.authorize;

import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.auth.Caller;
import io.beamline.platform.problem.ApiProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/subscribe_token/{tokenId}/viewer_policy}: a subscribe token's concurrent-viewer cap
 * and single-use viewer tokens. Another account's token is 404.
 */
@Path("/api/subscribe_token/{tokenId}/viewer_policy")
@Tag(name = "Subscribe tokens")
@SecurityRequirement(name = "apiKey")
public class ViewerPolicyResource {

  private final DataSource dataSource;
  private final TokenStore store;
  private final Caller caller;

  public ViewerPolicyResource(DataSource dataSource, TokenStore store, Caller caller) {
    this.dataSource = dataSource;
    this.store = store;
    this.caller = caller;
  }

  @GET
  @RolesAllowed(ApiScopes.TOKENS_READ)
  @Operation(summary = "A subscribe token's viewer cap and single-use setting")
  public ViewerPolicy get(@PathParam("tokenId") long tokenId) {
    try (Connection connection = dataSource.getConnection()) {
      owned(connection, tokenId);
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT max_concurrent_viewers, single_use_viewer_tokens"
                  + " FROM subscribe_token_viewer_policy WHERE token_id = ?")) {
        select.setLong(1, tokenId);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next()
              ? new ViewerPolicy((Integer) rows.getObject(1), rows.getBoolean(2))
              : new ViewerPolicy(null, false);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @PUT
  @RolesAllowed(ApiScopes.TOKENS_WRITE)
  @Operation(summary = "Set a subscribe token's viewer cap and single-use setting")
  public ViewerPolicy put(@PathParam("tokenId") long tokenId, @Valid @NotNull ViewerPolicy policy) {
    boolean singleUse = Boolean.TRUE.equals(policy.singleUseViewerTokens());
    try (Connection connection = dataSource.getConnection()) {
      owned(connection, tokenId);
      try (PreparedStatement upsert =
          connection.prepareStatement(
              """
              INSERT INTO subscribe_token_viewer_policy
                (token_id, account_id, max_concurrent_viewers, single_use_viewer_tokens)
              VALUES (?, ?, ?, ?)
              ON CONFLICT (token_id) DO UPDATE SET
                max_concurrent_viewers = EXCLUDED.max_concurrent_viewers,
                single_use_viewer_tokens = EXCLUDED.single_use_viewer_tokens,
                updated_at = now()
              """)) {
        upsert.setLong(1, tokenId);
        upsert.setString(2, caller.accountId());
        upsert.setObject(3, policy.maxConcurrentViewers());
        upsert.setBoolean(4, singleUse);
        upsert.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    // This instance applies it now; the others on their next refresh (a couple of seconds).
    store.reload(tokenId);
    return new ViewerPolicy(policy.maxConcurrentViewers(), singleUse);
  }

  private void owned(Connection connection, long tokenId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT 1 FROM streaming_token WHERE id = ? AND account_id = ? AND kind = 'SUBSCRIBE'"
                + " AND deleted_at IS NULL")) {
      select.setLong(1, tokenId);
      select.setString(2, caller.accountId());
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw ApiProblemException.notFound("subscribe token", Long.toString(tokenId));
        }
      }
    }
  }
}
