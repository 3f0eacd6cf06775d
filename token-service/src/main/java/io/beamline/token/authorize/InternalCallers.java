package io.beamline.token.authorize;

import io.beamline.platform.auth.ApiKeyRevocations;
import io.beamline.platform.auth.ApiScopes;
import io.beamline.platform.problem.ApiProblemException;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Lets only the platform's own services call {@code /internal/...}: the caller's API key must carry
 * {@code platform:internal}. A key is verified like any API key (signature against the JWKS,
 * issuer, expiry) and then trusted for a few minutes, because an RSA verification per decision
 * would cost more than the decision; revocation is still checked on every call.
 */
@ApplicationScoped
public class InternalCallers {

  private static final int MAX_CACHED = 1_000;

  /** A verified key: its id (for revocation) and until when it may be trusted without a check. */
  private record Trusted(String keyId, long untilMillis) {}

  private final JWTParser parser;
  private final ApiKeyRevocations revocations;
  private final AuthorizeConfig config;
  private final Map<String, Trusted> trusted = new ConcurrentHashMap<>();

  /**
   * The Authorization header this thread saw last and its verified key: callers send the same
   * header on every request, and comparing it (a vectorised {@code equals}) is far cheaper than
   * hashing a fresh copy of a long JWT for the map. Expiry and revocation are still checked.
   */
  private record Recent(String authorization, String key, Trusted trusted) {}

  private final ThreadLocal<Recent> recent = new ThreadLocal<>();

  public InternalCallers(JWTParser parser, ApiKeyRevocations revocations, AuthorizeConfig config) {
    this.parser = parser;
    this.revocations = revocations;
    this.config = config;
  }

  /** Whether the Authorization header is a key verified recently and still not revoked. */
  public boolean trustedNow(String authorization) {
    if (authorization == null) {
      return false;
    }
    Recent last = recent.get();
    if (last == null || !last.authorization().equals(authorization)) {
      String key = bearer(authorization);
      Trusted entry = key == null ? null : trusted.get(key);
      if (entry == null) {
        return false;
      }
      last = new Recent(authorization, key, entry);
      recent.set(last);
    }
    Trusted entry = last.trusted();
    if (System.currentTimeMillis() >= entry.untilMillis() || revocations.isRevoked(entry.keyId())) {
      trusted.remove(last.key(), entry);
      recent.remove();
      return false;
    }
    return true;
  }

  /**
   * Verifies the key (blocking: the JWKS may need fetching).
   *
   * @throws ApiProblemException 401 for a missing, invalid or revoked key, 403 without the scope
   */
  public void verify(String authorization) {
    String key = bearer(authorization);
    if (key == null) {
      throw unauthorized("missing_api_key", "Authorization: Bearer <API key> is required");
    }
    JsonWebToken jwt;
    try {
      jwt = parser.parse(key);
    } catch (ParseException e) {
      throw unauthorized("invalid_api_key", "the API key is not valid");
    }
    if (revocations.isRevoked(jwt.getTokenID())) {
      throw unauthorized("api_key_revoked", "the API key is revoked");
    }
    if (jwt.getGroups() == null || !jwt.getGroups().contains(ApiScopes.PLATFORM_INTERNAL)) {
      throw new ApiProblemException(
          403,
          "Forbidden",
          "missing_scope",
          "this endpoint is for the platform's services: the key needs "
              + ApiScopes.PLATFORM_INTERNAL);
    }
    long until =
        Math.min(
            jwt.getExpirationTime() * 1000L,
            System.currentTimeMillis() + config.internalKeyCache().toMillis());
    if (trusted.size() >= MAX_CACHED) {
      trusted.clear();
    }
    trusted.put(key, new Trusted(jwt.getTokenID(), until));
  }

  private static ApiProblemException unauthorized(String reason, String detail) {
    return new ApiProblemException(401, "Unauthorized", reason, detail);
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = authorization.substring(7).trim();
    return key.isEmpty() ? null : key;
  }
}
