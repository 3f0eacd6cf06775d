package io.beamline.token.rest;

import io.beamline.token.ApiKey;
import java.time.Instant;
import java.util.List;

/**
 * An API key as the API shows it: everything but the key itself.
 *
 * @param id the key id (the JWT's {@code jti})
 * @param label what the key is for
 * @param scopes what the key may do
 * @param createdOn when it was issued
 * @param expiresOn when it stops working
 * @param active whether it works now (not revoked, not expired)
 * @param revokedOn when it was revoked, if it was
 * @param revokeReason why: {@code revoked} or {@code rotated}
 * @param replacedBy the key that replaced it on rotation
 * @param signingKeyId the {@code kid} of the key that signed it
 */
public record ApiKeyView(
    long id,
    String label,
    List<String> scopes,
    Instant createdOn,
    Instant expiresOn,
    boolean active,
    Instant revokedOn,
    String revokeReason,
    Long replacedBy,
    String signingKeyId) {

  static ApiKeyView of(ApiKey key) {
    return new ApiKeyView(
        key.id,
        key.label,
        key.scopeList(),
        key.createdAt,
        key.expiresAt,
        key.active(Instant.now()),
        key.revokedAt,
        key.revokeReason,
        key.replacedBy,
        key.signingKeyId);
  }
}
