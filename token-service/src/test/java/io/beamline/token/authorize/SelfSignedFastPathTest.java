package io.beamline.token.authorize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The allocation-light reading of self-signed tokens agrees with the general one on every payload
 * it accepts, and leaves every other payload to it.
 */
class SelfSignedFastPathTest {

  private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  private static final byte[] INPUT = {1};
  private static final byte[] SIGNATURE = {2};

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\"},"
            + "\"exp\":1795595477}",
        "{\"exp\":1795595477,\"nbf\":1700000000,\"jti\":\"abc\",\"iat\":1,\"sub\":{\"x\":[1,2]},"
            + "\"streaming\":{\"streamName\":\"live\",\"tokenId\":7,\"tokenType\":\"Subscribe\","
            + "\"allowedOrigins\":[\"*.example.com\"],\"allowedIpAddresses\":[\"10.0.0.0/8\","
            + "\"2001:db8::/32\"],\"originCluster\":\"eu\",\"tracking\":{\"trackingId\":\"t-1\","
            + "\"other\":true},\"customViewerData\":\"v=1\",\"extra\":[{}]}}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\","
            + "\"tracking\":null,\"allowedOrigins\":null,\"originCluster\":\"\","
            + "\"customViewerData\":null},\"exp\":1795595477,\"nbf\":null,\"jti\":null}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\","
            + "\"tracking\":{},\"originCluster\":5},\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"l\u00e9\u2603\","
            + "\"tracking\":{\"trackingId\":null}},\"exp\":1795595477}"
      })
  void readsPlainPayloadsExactlyAsTheGeneralPath(String payload) throws Exception {
    String token = token(payload);
    SelfSignedToken fast = fast(token);
    assertNotNull(fast, "the fast path should take this plain payload");
    assertSame(general(token), fast);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // numbers the general path also accepts, in other forms
        "{\"streaming\":{\"tokenId\":\"7\",\"tokenType\":\"Subscribe\",\"streamName\":\"live\"},"
            + "\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\"},"
            + "\"exp\":1.795595477E9}",
        // values the general path turns into strings
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\","
            + "\"customViewerData\":{\"seat\":12},\"tracking\":{\"trackingId\":42}},"
            + "\"exp\":1795595477,\"jti\":99}",
        // refusals: the general path names them
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Publish\",\"streamName\":\"live\"},"
            + "\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\"}}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"\"},"
            + "\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenId\":8,\"tokenType\":\"Subscribe\","
            + "\"streamName\":\"live\"},\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\","
            + "\"allowedOrigins\":[\"a\",1]},\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\","
            + "\"tracking\":\"t-1\"},\"exp\":1795595477}",
        "{\"streaming\":[],\"exp\":1795595477}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\"},"
            + "\"exp\":1795595477} {}",
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"live\"},"
            + "\"exp\":1795595477,\"nbf\":\"soon\"}",
        "[1,2,3]"
      })
  void leavesEveryOtherPayloadToTheGeneralPath(String payload) {
    assertNull(fast(token(payload)));
  }

  @Test
  void leavesPaddedOrNonBase64PayloadsToTheGeneralPath() {
    String payload =
        "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"x\"}}";
    String padded = Base64.getUrlEncoder().encodeToString(bytes(payload));
    assertNull(SelfSignedFastPath.base64url(padded + "=", 0, padded.length() + 1));
    assertNull(SelfSignedFastPath.base64url("ab+c", 0, 4));
    assertNull(SelfSignedFastPath.base64url("abcde", 0, 5));
  }

  @Test
  void decodesBase64urlOfEveryLengthAsTheJdkDoes() {
    for (int length = 0; length < 70; length++) {
      byte[] data = new byte[length];
      for (int i = 0; i < length; i++) {
        data[i] = (byte) (i * 37 + length);
      }
      String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(data);
      assertArrayEquals(data, SelfSignedFastPath.base64url("." + encoded, 1, encoded.length() + 1));
    }
  }

  @Test
  void parseStillNamesWhatIsWrongWithAnUnusualToken() {
    String token =
        token(
            "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Publish\",\"streamName\":\"live\"},"
                + "\"exp\":1795595477}");
    SelfSignedToken.Invalid invalid =
        assertThrows(SelfSignedToken.Invalid.class, () -> SelfSignedToken.parse(token));
    assertEquals(Reason.INVALID_TOKEN, invalid.reason());
    assertEquals("streaming.tokenType must be \"Subscribe\"", invalid.getMessage());
  }

  @Test
  void remembersOnlyHeadersTheGeneralPathAccepted() throws Exception {
    String header = encode("{\"alg\":\"HS384\",\"typ\":\"JWT\",\"kid\":\"fast-path-test\"}");
    String token = header + "." + encode("{}") + ".c2ln";
    assertNull(SelfSignedFastPath.knownAlgorithm(token, header.length()));
    assertThrows(SelfSignedToken.Invalid.class, () -> SelfSignedToken.parse(token));
    assertEquals("HS384", SelfSignedFastPath.knownAlgorithm(token, header.length()));

    String critical = encode("{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"kid\":\"fast-path-test\"}");
    String refused = critical + "." + encode("{}") + ".c2ln";
    assertThrows(SelfSignedToken.Invalid.class, () -> SelfSignedToken.parse(refused));
    assertNull(SelfSignedFastPath.knownAlgorithm(refused, critical.length()));
    // A longer header that starts like a known one is not taken for it.
    assertNull(SelfSignedFastPath.knownAlgorithm(header + "x" + ".e30.c2ln", header.length() + 1));
  }

  private static void assertSame(SelfSignedToken expected, SelfSignedToken actual) {
    assertEquals(expected.algorithm(), actual.algorithm());
    assertArrayEquals(expected.signingInput(), actual.signingInput());
    assertArrayEquals(expected.signature(), actual.signature());
    assertEquals(expected.parentId(), actual.parentId());
    assertEquals(expected.streamName(), actual.streamName());
    assertEquals(expected.allowedOrigins(), actual.allowedOrigins());
    assertEquals(expected.allowedIpAddresses(), actual.allowedIpAddresses());
    assertEquals(expected.originCluster(), actual.originCluster());
    assertEquals(expected.tracked(), actual.tracked());
    assertEquals(expected.trackingId(), actual.trackingId());
    assertEquals(expected.customViewerData(), actual.customViewerData());
    assertEquals(expected.expiresAtSeconds(), actual.expiresAtSeconds());
    assertEquals(expected.notBeforeSeconds(), actual.notBeforeSeconds());
    assertEquals(expected.jwtId(), actual.jwtId());
  }

  private static SelfSignedToken fast(String token) {
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    return SelfSignedFastPath.read(token, first + 1, second, "HS256", INPUT, SIGNATURE);
  }

  private static SelfSignedToken general(String token) throws SelfSignedToken.Invalid {
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    return SelfSignedToken.readGenerally(token, first + 1, second, "HS256", INPUT, SIGNATURE);
  }

  private static String token(String payload) {
    return HEADER + "." + encode(payload) + ".c2ln";
  }

  private static String encode(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(json));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** String arrays become lists, absent ones empty lists. */
  @Test
  void readsStringArraysAsLists() {
    SelfSignedToken token =
        fast(
            token(
                "{\"streaming\":{\"tokenId\":7,\"tokenType\":\"Subscribe\",\"streamName\":\"s\","
                    + "\"allowedIpAddresses\":[\"192.0.2.1\",\"2001:db8::1\"]},\"exp\":5}"));
    assertEquals(List.of("192.0.2.1", "2001:db8::1"), token.allowedIpAddresses());
    assertEquals(List.of(), token.allowedOrigins());
    assertEquals(5, token.expiresAtSeconds());
  }
}
