package io.beamline.devstack.test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.events.CloudEventAttributes;
import io.beamline.events.EventJson;
import io.beamline.events.EventSamples;
import io.beamline.events.EventTypes;
import io.beamline.events.Topics;
import io.beamline.events.token.TokenRevokedEvent;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Mints API keys the way token-service does, signed with the test-only key pair of the module under
 * test, and publishes their revocation on {@link Topics#TOKEN_REVOKED}.
 *
 * <p>Signing reads {@code smallrye.jwt.sign.key.location} from the running test's configuration, so
 * the module's test {@code application.properties} must name its test signing key and verify
 * against the matching JWKS with issuer {@link #ISSUER}. Needs {@code quarkus-smallrye-jwt-build}
 * and the devstack infrastructure ({@link BeamlineInfraResource}) in the test.
 */
public final class TestApiKeys {

  /** The issuer every test key carries; services' tests verify against it. */
  public static final String ISSUER = "https://beamline.test";

  /** The {@code kid} of the test signing key in each module's {@code test-jwks.json}. */
  public static final String SIGNING_KEY_ID = "test-key-1";

  private static final AtomicLong KEY_IDS = new AtomicLong(1000);

  private TestApiKeys() {}

  /** A key id not used before in this test JVM, so that a revocation hits one test only. */
  public static long nextKeyId() {
    return KEY_IDS.incrementAndGet();
  }

  /** A key of {@code account} with {@code scopes}, valid for ten minutes. */
  public static String apiKey(long keyId, String account, Set<String> scopes) {
    return apiKey(keyId, account, scopes, Instant.now().plusSeconds(600));
  }

  /** A key of {@code account} with {@code scopes} that expires at {@code expiresAt}. */
  public static String apiKey(long keyId, String account, Set<String> scopes, Instant expiresAt) {
    return Jwt.issuer(ISSUER)
        .subject(account)
        .claim("jti", Long.toString(keyId))
        .groups(scopes)
        .issuedAt(Instant.now())
        .expiresAt(expiresAt)
        .jws()
        .keyId(SIGNING_KEY_ID)
        .sign();
  }

  /**
   * {@code apiKey} with {@code target} replaced by {@code replacement} in its claims and its
   * original signature kept, as an attacker would try to widen a key.
   */
  public static String withClaimsReplaced(String apiKey, String target, String replacement) {
    String[] parts = apiKey.split("\\.");
    String claims =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace(target, replacement);
    return parts[0]
        + "."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + "."
        + parts[2];
  }

  /**
   * Publishes the revocation of API key {@code keyId} of {@code account} and waits for the broker
   * to acknowledge it.
   *
   * <p>The payload is the contract's golden sample with only ids and times changed (not one of our
   * own records), so the test proves the listener reads what producers are specified to write.
   */
  public static void publishRevocation(String account, long keyId) {
    ObjectMapper mapper = EventJson.newObjectMapper();
    try {
      ObjectNode sample = (ObjectNode) mapper.readTree(EventSamples.load(Topics.TOKEN_REVOKED));
      sample.put("eventId", UUID.randomUUID().toString());
      sample.put("accountId", account);
      sample.put("tokenId", keyId);
      sample.put("tokenKind", "API_KEY");
      sample.put("occurredAt", Instant.now().toString());
      sample.put("expiresAt", Instant.now().plusSeconds(600).toString());
      TokenRevokedEvent event = mapper.treeToValue(sample, TokenRevokedEvent.class);
      Properties p = new Properties();
      p.put(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          BeamlineInfraResource.kafka().bootstrapServers());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
        ProducerRecord<String, String> record =
            new ProducerRecord<>(Topics.TOKEN_REVOKED, account, sample.toString());
        new CloudEventAttributes(
                event.eventId().toString(),
                EventTypes.typeOf(Topics.TOKEN_REVOKED),
                "/beamline/test",
                event.occurredAt(),
                null)
            .toHeaders()
            .forEach((k, v) -> record.headers().add(k, v));
        producer.send(record).get();
      }
    } catch (JsonProcessingException | ExecutionException e) {
      throw new IllegalStateException("cannot publish the revocation of key " + keyId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted publishing the revocation of key " + keyId, e);
    }
  }
}
