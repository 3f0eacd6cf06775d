package io.beamline.token.authorize;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A self-signed subscribe token (reference §3): a JWT signed with HS256, HS384 or HS512 keyed with
 * the parent subscribe token's secret, its claims under {@code streaming}. Parsed before the parent
 * is known (the parent id is a claim), verified once it is.
 *
 * <p>Parsed and verified with Jackson and {@code javax.crypto} directly rather than a JOSE library:
 * this runs for every viewer decision, and a general JWS implementation cost most of a decision
 * (its JSON parser alone allocated two 32 KB buffers per token). The checks are the same: compact
 * serialisation of exactly three parts, an {@code alg} allow-list, no {@code crit} extensions,
 * unique claim names, HMAC compared in constant time.
 *
 * @param algorithm the {@code alg} header: HS256, HS384 or HS512
 * @param signingInput the signed bytes: the encoded header, a dot and the encoded payload
 * @param signature the decoded signature (empty when the third part is not base64url)
 * @param tracked whether a {@code streaming.tracking} object was present (not null)
 */
public record SelfSignedToken(
    String algorithm,
    byte[] signingInput,
    byte[] signature,
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

  /** JWS {@code alg} to JCA MAC algorithm: the only algorithms a self-signed token may use. */
  private static final Map<String, String> ALGORITHMS =
      Map.of("HS256", "HmacSHA256", "HS384", "HmacSHA384", "HS512", "HmacSHA512");

  /** Rejects duplicate names (as JOSE libraries do) and anything after the JSON object. */
  private static final ObjectReader JSON_OBJECT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .readerFor(Map.class);

  /** A {@link Mac} per thread and algorithm: {@code Mac.getInstance} costs a provider lookup. */
  private static final ThreadLocal<Map<String, Mac>> MACS = ThreadLocal.withInitial(HashMap::new);

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
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw new Invalid(Reason.INVALID_TOKEN, "not a JWT: expected three dot-separated parts");
    }
    String alg = SelfSignedFastPath.knownAlgorithm(token, first);
    if (alg == null) {
      alg = algorithm(json(token, 0, first, "header"));
      SelfSignedFastPath.remember(token, first, alg);
    }
    byte[] signature = SelfSignedFastPath.base64url(token, second + 1, token.length());
    if (signature == null) {
      try {
        signature = Base64.getUrlDecoder().decode(token.substring(second + 1));
      } catch (IllegalArgumentException e) {
        signature = new byte[0];
      }
    }
    byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    SelfSignedToken plain =
        SelfSignedFastPath.read(token, first + 1, second, alg, signingInput, signature);
    return plain != null
        ? plain
        : readGenerally(token, first + 1, second, alg, signingInput, signature);
  }

  /**
   * Reads the payload (characters {@code [from, to)}) into maps and checks every claim: the path
   * for tokens {@link SelfSignedFastPath} does not take, which also says what is wrong with a bad
   * one.
   */
  static SelfSignedToken readGenerally(
      String token, int from, int to, String alg, byte[] signingInput, byte[] signature)
      throws Invalid {
    Map<?, ?> claims = json(token, from, to, "payload");
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
        alg,
        signingInput,
        signature,
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
    return parentSecret != null && verifiedWith(parentSecret.getBytes(StandardCharsets.US_ASCII));
  }

  /** {@link #verifiedWith(String)} with the secret's ASCII bytes, as the token index keeps them. */
  public boolean verifiedWith(byte[] parentSecretKey) {
    if (parentSecretKey == null || parentSecretKey.length == 0 || signature.length == 0) {
      return false;
    }
    String jca = ALGORITHMS.get(algorithm);
    try {
      Mac mac = MACS.get().get(jca);
      if (mac == null) {
        mac = Mac.getInstance(jca);
        MACS.get().put(jca, mac);
      }
      // The reference keys HMAC with the secret string whatever its length: no minimum key size.
      mac.init(new SecretKeySpec(parentSecretKey, jca));
      return MessageDigest.isEqual(mac.doFinal(signingInput), signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The header's {@code alg}, once its checks pass. */
  private static String algorithm(Map<?, ?> header) throws Invalid {
    if (!(header.get("alg") instanceof String alg) || !ALGORITHMS.containsKey(alg)) {
      throw new Invalid(
          Reason.INVALID_SIGNATURE, "alg must be HS256, HS384 or HS512, not " + header.get("alg"));
    }
    if (header.containsKey("crit")
        || (header.containsKey("b64") && !Boolean.TRUE.equals(header.get("b64")))) {
      // No critical extension is understood here (RFC 7515 §4.1.11), unencoded payloads included.
      throw new Invalid(Reason.INVALID_SIGNATURE, "crit and b64 headers are not supported");
    }
    return alg;
  }

  /** Decodes one base64url part of the token and reads it as a JSON object. */
  private static Map<?, ?> json(String token, int from, int to, String part) throws Invalid {
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(token.substring(from, to));
      if (JSON_OBJECT.readValue(bytes) instanceof Map<?, ?> map) {
        return map;
      }
    } catch (IllegalArgumentException | IOException e) {
      throw new Invalid(Reason.INVALID_TOKEN, "not a JWT: the " + part + " is not base64url JSON");
    }
    throw new Invalid(Reason.INVALID_TOKEN, "not a JWT: the " + part + " is not a JSON object");
  }

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
