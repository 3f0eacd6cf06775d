package io.beamline.token.authorize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jca.ProviderContext;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * A self-signed subscribe token (reference §3): a JWT signed with HS256, HS384 or HS512 keyed with
 * the parent subscribe token's secret, its claims under {@code streaming}. Parsed before the parent
 * is known (the parent id is a claim), verified once it is.
 *
 * @param tracked whether a {@code streaming.tracking} object was present (not null)
 */
public record SelfSignedToken(
    JsonWebSignature jws,
    long parentId,
    String streamName,
    List<String> allowedOrigins,
    List<String> allowedIpAddresses,
    String originCluster,
    boolean tracked,
    String trackingId,
    String customViewerData,
    long expiresAtSeconds,
    Long notBeforeSeconds,
    String jwtId) {

  private static final Set<String> ALGORITHMS =
      Set.of(
          AlgorithmIdentifiers.HMAC_SHA256,
          AlgorithmIdentifiers.HMAC_SHA384,
          AlgorithmIdentifiers.HMAC_SHA512);
  private static final AlgorithmConstraints HMAC_ONLY =
      new AlgorithmConstraints(
          AlgorithmConstraints.ConstraintType.PERMIT, ALGORITHMS.toArray(String[]::new));

  /** A token that is not a well-formed self-signed token, or not signed as the reference says. */
  public static final class Invalid extends Exception {
    private final Reason reason;

    Invalid(Reason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  /**
   * Whether the bearer looks like a JWT (three dot-separated parts) rather than an opaque secret.
   */
  public static boolean looksLikeJwt(String token) {
    int first = token.indexOf('.');
    return first > 0 && token.indexOf('.', first + 1) > first + 1;
  }

  /** Reads the header and claims without checking the signature yet. */
  public static SelfSignedToken parse(String token) throws Invalid {
    JsonWebSignature jws = new JsonWebSignature();
    Map<String, Object> claims;
    try {
      jws.setCompactSerialization(token);
      claims = JsonUtil.parseJson(jws.getUnverifiedPayload());
    } catch (JoseException | RuntimeException e) {
      throw new Invalid(Reason.INVALID_TOKEN, "not a JWT: " + e.getMessage());
    }
    String alg = jws.getAlgorithmHeaderValue();
    if (alg == null || !ALGORITHMS.contains(alg)) {
      throw new Invalid(Reason.INVALID_SIGNATURE, "alg must be HS256, HS384 or HS512, not " + alg);
    }
    if (!(claims.get("streaming") instanceof Map<?, ?> streaming)) {
      throw new Invalid(Reason.INVALID_TOKEN, "claim streaming is missing");
    }
    if (!"Subscribe".equals(streaming.get("tokenType"))) {
      throw new Invalid(Reason.INVALID_TOKEN, "streaming.tokenType must be \"Subscribe\"");
    }
    Long parent = number(streaming.get("tokenId"));
    if (parent == null) {
      throw new Invalid(Reason.INVALID_TOKEN, "streaming.tokenId must be the parent token's id");
    }
    if (!(streaming.get("streamName") instanceof String streamName) || streamName.isEmpty()) {
      throw new Invalid(Reason.INVALID_TOKEN, "streaming.streamName is required");
    }
    Long exp = number(claims.get("exp"));
    if (exp == null) {
      throw new Invalid(Reason.INVALID_TOKEN, "exp is required");
    }
    Object nbf = claims.get("nbf");
    Long notBefore = number(nbf);
    if (nbf != null && notBefore == null) {
      throw new Invalid(Reason.INVALID_TOKEN, "nbf must be a number");
    }
    Object tracking = streaming.get("tracking");
    String trackingId = null;
    if (tracking instanceof Map<?, ?> t && t.get("trackingId") != null) {
      trackingId = String.valueOf(t.get("trackingId"));
    } else if (tracking != null && !(tracking instanceof Map<?, ?>)) {
      throw new Invalid(Reason.INVALID_TOKEN, "streaming.tracking must be an object or null");
    }
    Object custom = streaming.get("customViewerData");
    Object jti = claims.get("jti");
    return new SelfSignedToken(
        jws,
        parent,
        streamName,
        strings(streaming.get("allowedOrigins"), "allowedOrigins"),
        strings(streaming.get("allowedIpAddresses"), "allowedIpAddresses"),
        streaming.get("originCluster") instanceof String c && !c.isEmpty() ? c : null,
        tracking != null,
        trackingId,
        custom == null ? null : String.valueOf(custom),
        exp,
        notBefore,
        jti == null ? null : String.valueOf(jti));
  }

  /** Whether the signature verifies with the parent's secret, used as US-ASCII bytes. */
  public boolean verifiedWith(String parentSecret) {
    try {
      jws.setAlgorithmConstraints(HMAC_ONLY);
      // The reference keys HMAC with the secret string whatever its length: no minimum key size.
      jws.setDoKeyValidation(false);
      jws.setProviderContext(PROVIDERS);
      jws.setKey(new HmacKey(parentSecret.getBytes(StandardCharsets.US_ASCII)));
      return jws.verifySignature();
    } catch (JoseException | RuntimeException e) {
      return false;
    }
  }

  private static final ProviderContext PROVIDERS = new ProviderContext();

  private static Long number(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) ? n.longValue() : null;
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static List<String> strings(Object value, String claim) throws Invalid {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new Invalid(Reason.INVALID_TOKEN, "streaming." + claim + " must be an array");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object item : list) {
      if (!(item instanceof String s)) {
        throw new Invalid(
            Reason.INVALID_TOKEN, "streaming." + claim + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }
}
