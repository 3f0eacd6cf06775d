package io.beamline.token.service;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.token.StreamingToken;
import io.beamline.token.TestSecrets;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The re-seal job against the real database: rows sealed with an older master-key version are found
 * by its batch query and sealed again with the current key, restream targets included.
 *
 * <p>The rows are made "old" by sealing them with a throw-away key as version 0, and the job runs
 * with a cipher that knows version 0 as a previous key and the test's own key as current: every
 * other row of the shared test database is already current and stays untouched.
 */
@QuarkusTest
class SecretResealJobTest {

  private static final String OLD_KEY = TestSecrets.randomKey();

  @Inject EntityManager entityManager;
  @Inject TokenSecrets secrets;

  @ConfigProperty(name = "beamline.secrets.master-key")
  String currentKey;

  @Test
  void shouldResealRowsOfAnOlderKeyVersionWithTheCurrentKey() throws Exception {
    String account = newAccountKey();
    long publish =
        create(
            account,
            "/api/publish_token",
            Map.of(
                "label",
                "reseal",
                "streams",
                List.of(Map.of("streamName", "reseal-me")),
                "restream",
                List.of(Map.of("url", "rtmp://live.example.com/app", "key", "partner-key"))));
    long subscribe =
        create(
            account,
            "/api/subscribe_token",
            Map.of("label", "reseal", "streams", List.of(Map.of("streamName", "reseal-me"))));
    String publishSecret = secretOf(publish);
    String subscribeSecret = secretOf(subscribe);

    KeyCipher oldCipher = new KeyCipher(TestSecrets.config(OLD_KEY, 0, List.of()));
    sealWith(new TokenSecrets(oldCipher), publish, subscribe);
    assertEquals(0, versionOf(publish));
    assertThrows(RuntimeException.class, () -> secretOf(publish), "not openable any more");

    KeyCipher rotated = new KeyCipher(TestSecrets.config(currentKey, 1, List.of("0:" + OLD_KEY)));
    SecretResealJob job = new SecretResealJob(entityManager, rotated, new TokenSecrets(rotated));
    int resealed = QuarkusTransaction.requiringNew().call(job::resealBatch);

    assertEquals(2, resealed, "exactly the two rows of version 0");
    assertEquals(1, versionOf(publish));
    assertEquals(1, versionOf(subscribe));
    assertEquals(publishSecret, secretOf(publish), "the service's own cipher opens them again");
    assertEquals(subscribeSecret, secretOf(subscribe));
    List<io.beamline.token.RestreamTarget> targets =
        QuarkusTransaction.requiringNew()
            .call(() -> secrets.restream(entityManager.find(StreamingToken.class, publish)));
    assertEquals("partner-key", targets.get(0).key());
    assertEquals(
        0, (int) QuarkusTransaction.requiringNew().call(job::resealBatch), "nothing left to do");
  }

  private void sealWith(TokenSecrets old, long... ids) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              for (long id : ids) {
                StreamingToken token = entityManager.find(StreamingToken.class, id);
                List<io.beamline.token.RestreamTarget> targets = secrets.restream(token);
                String secret = secrets.secret(token);
                token.restreamSealed = null;
                old.setSecret(token, secret);
                old.setRestream(token, targets);
              }
            });
  }

  private String secretOf(long id) {
    return QuarkusTransaction.requiringNew()
        .call(() -> secrets.secret(entityManager.find(StreamingToken.class, id)));
  }

  private int versionOf(long id) {
    return QuarkusTransaction.requiringNew()
        .call(() -> entityManager.find(StreamingToken.class, id).secretKeyVersion);
  }

  private static long create(String key, String path, Map<String, Object> body) {
    return given()
        .auth()
        .oauth2(key)
        .contentType("application/json")
        .body(body)
        .post(path)
        .then()
        .statusCode(201)
        .extract()
        .jsonPath()
        .getLong("data.id");
  }

  private static String newAccountKey() throws Exception {
    Path file = Path.of("target/test-data/bootstrap-api-key.txt");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file));
    String operator = Files.readString(file).trim();
    return given()
        .auth()
        .oauth2(operator)
        .contentType("application/json")
        .body(Map.of("name", "reseal"))
        .post("/api/accounts")
        .then()
        .statusCode(201)
        .extract()
        .path("apiKey.key");
  }
}
