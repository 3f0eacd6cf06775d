package io.beamline.token.authorize;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the usual self-signed token without building maps or substrings; answers null whenever a
 * token is not in that plain shape, and {@link SelfSignedToken#parse} then reads it the general
 * way, which also names what is wrong. So the two agree on every token this class accepts.
 *
 * <p>Why: a viewer decision parsed its token's header and payload into maps, which was a fifth of
 * all the memory a decision allocated (benchmarks/token-authorize, JFR allocation samples), and the
 * garbage collector's pauses set the decision's tail latency. The header of nearly every token of a
 * deployment is one of a few identical strings, so a header already read is recognised by comparing
 * characters; the payload is read with a streaming parser straight into the fields.
 */
final class SelfSignedFastPath {

  /** Rejects duplicate names, as the general path does. */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** How many distinct encoded headers are remembered; a deployment normally sees one or two. */
  private static final int MAX_HEADERS = 16;

  /** base64url alphabet value of each ASCII character, -1 for every other character. */
  private static final byte[] BASE64URL = new byte[128];

  static {
    java.util.Arrays.fill(BASE64URL, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64URL[alphabet.charAt(i)] = (byte) i;
    }
  }

  /** An encoded header the general path accepted, and its {@code alg}. */
  private record KnownHeader(String encoded, String algorithm) {}

  /** Replaced, never changed: readers on the event loops need no lock. */
  private static volatile List<KnownHeader> knownHeaders = List.of();

  private SelfSignedFastPath() {}

  /** The {@code alg} of {@code token}'s header if that exact header was accepted before. */
  static String knownAlgorithm(String token, int headerEnd) {
    for (KnownHeader known : knownHeaders) {
      if (known.encoded.length() == headerEnd && token.startsWith(known.encoded)) {
        return known.algorithm;
      }
    }
    return null;
  }

  /** Remembers a header the general path accepted (all its checks passed), while there is room. */
  static synchronized void remember(String token, int headerEnd, String algorithm) {
    List<KnownHeader> now = knownHeaders;
    if (now.size() >= MAX_HEADERS || knownAlgorithm(token, headerEnd) != null) {
      return;
    }
    List<KnownHeader> next = new ArrayList<>(now);
    next.add(new KnownHeader(token.substring(0, headerEnd), algorithm));
    knownHeaders = List.copyOf(next);
  }

  /**
   * Decodes the unpadded base64url characters {@code [from, to)} of {@code text}; null for anything
   * else (padding, other characters, an impossible length), which the JDK decoder then judges.
   */
  static byte[] base64url(String text, int from, int to) {
    int length = to - from;
    int tail = length % 4;
    if (tail == 1) {
      return null;
    }
    byte[] out = new byte[length / 4 * 3 + (tail == 0 ? 0 : tail - 1)];
    int bits = 0;
    int count = 0;
    int o = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      int value = c < 128 ? BASE64URL[c] : -1;
      if (value < 0) {
        return null;
      }
      bits = (bits << 6) | value;
      count += 6;
      if (count >= 8) {
        count -= 8;
        out[o++] = (byte) (bits >> count);
      }
    }
    return out;
  }

  /**
   * The token, if its payload (characters {@code [from, to)}) is base64url JSON of the plain shape:
   * integer {@code exp} (and {@code nbf}), string {@code jti}, and a {@code streaming} object with
   * {@code tokenType} Subscribe, an integer {@code tokenId}, a non-empty {@code streamName}, string
   * arrays, a string {@code originCluster}, {@code tracking} null or an object with a string {@code
   * trackingId}, and a string {@code customViewerData}. Other claims are skipped, as the general
   * path ignores them. Null otherwise.
   */
  static SelfSignedToken read(
      String token, int from, int to, String algorithm, byte[] signingInput, byte[] signature) {
    byte[] payload = base64url(token, from, to);
    if (payload == null) {
      return null;
    }
    try (JsonParser parser = JSON.createParser(payload)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Long exp = null;
      Long notBefore = null;
      String jwtId = null;
      Streaming streaming = null;
      JsonToken field;
      while ((field = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (name) {
          case "exp" -> {
            exp = integer(parser, value);
            if (exp == null) {
              return null;
            }
          }
          case "nbf" -> {
            if (value != JsonToken.VALUE_NULL) {
              notBefore = integer(parser, value);
              if (notBefore == null) {
                return null;
              }
            }
          }
          case "jti" -> {
            if (value == JsonToken.VALUE_STRING) {
              jwtId = parser.getText();
            } else if (value != JsonToken.VALUE_NULL) {
              return null;
            }
          }
          case "streaming" -> {
            streaming = value == JsonToken.START_OBJECT ? Streaming.read(parser) : null;
            if (streaming == null) {
              return null;
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (field != JsonToken.END_OBJECT
          || parser.nextToken() != null
          || exp == null
          || streaming == null) {
        return null;
      }
      return new SelfSignedToken(
          algorithm,
          signingInput,
          signature,
          streaming.tokenId,
          streaming.streamName,
          streaming.allowedOrigins,
          streaming.allowedIpAddresses,
          streaming.originCluster,
          streaming.tracked,
          streaming.trackingId,
          streaming.customViewerData,
          exp,
          notBefore,
          jwtId);
    } catch (IOException e) {
      return null; // malformed or a repeated name: the general path names the problem
    }
  }

  /** A JSON integer that fits a long; null for anything else. */
  private static Long integer(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT
        || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      return null;
    }
    return parser.getLongValue();
  }

  /** The {@code streaming} claim's fields, while they are read. */
  private static final class Streaming {
    Long tokenId;
    String streamName;
    List<String> allowedOrigins = List.of();
    List<String> allowedIpAddresses = List.of();
    String originCluster;
    boolean tracked;
    String trackingId;
    String customViewerData;
    boolean subscribe;

    /** Reads the object the parser has just entered; null unless it is of the plain shape. */
    static Streaming read(JsonParser parser) throws IOException {
      Streaming s = new Streaming();
      JsonToken field;
      while ((field = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        boolean plain =
            switch (name) {
              case "tokenType" -> {
                s.subscribe =
                    value == JsonToken.VALUE_STRING && "Subscribe".equals(parser.getText());
                yield s.subscribe;
              }
              case "tokenId" -> (s.tokenId = integer(parser, value)) != null;
              case "streamName" -> {
                s.streamName = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                yield s.streamName != null && !s.streamName.isEmpty();
              }
              case "allowedOrigins" -> (s.allowedOrigins = strings(parser, value)) != null;
              case "allowedIpAddresses" -> (s.allowedIpAddresses = strings(parser, value)) != null;
              case "originCluster" -> {
                if (value == JsonToken.VALUE_STRING) {
                  String cluster = parser.getText();
                  s.originCluster = cluster.isEmpty() ? null : cluster;
                } else {
                  parser.skipChildren(); // not a string: ignored, as the general path does
                }
                yield true;
              }
              case "tracking" -> s.tracking(parser, value);
              case "customViewerData" -> {
                if (value == JsonToken.VALUE_STRING) {
                  s.customViewerData = parser.getText();
                }
                yield value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL;
              }
              default -> {
                parser.skipChildren();
                yield true;
              }
            };
        if (!plain) {
          return null;
        }
      }
      boolean complete =
          field == JsonToken.END_OBJECT && s.subscribe && s.tokenId != null && s.streamName != null;
      return complete ? s : null;
    }

    private boolean tracking(JsonParser parser, JsonToken value) throws IOException {
      if (value == JsonToken.VALUE_NULL) {
        return true;
      }
      if (value != JsonToken.START_OBJECT) {
        return false;
      }
      tracked = true;
      JsonToken field;
      while ((field = parser.nextToken()) == JsonToken.FIELD_NAME) {
        JsonToken inner = parser.nextToken();
        if ("trackingId".equals(parser.currentName())) {
          if (inner == JsonToken.VALUE_STRING) {
            trackingId = parser.getText();
          } else if (inner != JsonToken.VALUE_NULL) {
            return false;
          }
        } else {
          parser.skipChildren();
        }
      }
      return field == JsonToken.END_OBJECT;
    }

    /** An array of strings (null: none); null for anything else. */
    private static List<String> strings(JsonParser parser, JsonToken value) throws IOException {
      if (value == JsonToken.VALUE_NULL) {
        return List.of();
      }
      if (value != JsonToken.START_ARRAY) {
        return null;
      }
      List<String> out = new ArrayList<>();
      JsonToken item;
      while ((item = parser.nextToken()) == JsonToken.VALUE_STRING) {
        out.add(parser.getText());
      }
      return item == JsonToken.END_ARRAY ? out : null;
    }
  }
}
