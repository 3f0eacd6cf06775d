package io.beamline.syndication;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.devstack.test.TestApiKeys;
import io.beamline.platform.secrets.SecretSealer;
import io.beamline.syndication.service.TargetKeys;
import io.beamline.syndication.storage.KeySealing;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Stream keys at rest: sealed in the database, legacy plain rows sealed, a wrong key refused. */
@QuarkusTest
class SealedKeysTest {

  private static final String OTHER_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Inject EntityManager em;
  @Inject TargetKeys keys;

  private final String account = "acc-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void shouldStoreOnlyTheSealedKeyWhenTargetIsCreated() {
    String key = "plain-stream-key-" + UUID.randomUUID();
    String id =
        given()
            .header(
                "Authorization",
                "Bearer "
                    + TestApiKeys.apiKey(
                        TestApiKeys.nextKeyId(),
                        account,
                        Set.of("restream:read", "restream:write")))
            .contentType(ContentType.JSON)
            .body(Map.of("streamName", "cam1", "url", "rtmp://127.0.0.1:1935/app", "key", key))
            .post("/api/restream/targets")
            .then()
            .statusCode(201)
            .extract()
            .path("data.id");
    Object[] row = row("restream_target", UUID.fromString(id));
    assertNull(row[0], "no plain key column value");
    byte[] sealed = (byte[]) row[1];
    assertFalse(
        new String(sealed, StandardCharsets.ISO_8859_1).contains(key), "the key is not in clear");
    assertEquals(key, keys.open(((Number) row[2]).intValue(), sealed));
    assertEquals(0, plainRows(), "no plain key anywhere");
  }

  @Test
  void shouldSealPlainRowsAndRefuseWrongMasterKey() {
    UUID id = UUID.randomUUID();
    String key = "legacy-plain-key-" + id;
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                em.createNativeQuery(
                        "insert into restream_target (id, account_id, stream_name, url, stream_key,"
                            + " enabled, created_at, updated_at)"
                            + " values (?1, ?2, 'cam9', 'rtmp://127.0.0.1/app', ?3, true, ?4, ?4)")
                    .setParameter(1, id)
                    .setParameter(2, account)
                    .setParameter(3, key)
                    .setParameter(4, Instant.now())
                    .executeUpdate());
    KeySealing sealing = new KeySealing(em, keys);
    QuarkusTransaction.requiringNew().run(sealing::verifyAndSeal);
    Object[] row = row("restream_target", id);
    assertNull(row[0]);
    assertNotNull(row[1]);
    assertEquals(key, keys.open(((Number) row[2]).intValue(), (byte[]) row[1]));
    assertEquals("****" + key.substring(key.length() - 4), row[3]);
    assertEquals(0, plainRows());

    // The same version with another key: the service must not start.
    KeySealing wrong =
        new KeySealing(
            em, new TargetKeys(new SecretSealer(TargetKeys.PROPERTIES, 1, OTHER_KEY, List.of())));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> QuarkusTransaction.requiringNew().run(wrong::verifyAndSeal));
    assertTrue(
        e.getMessage().contains("wrong beamline.syndication.secrets.master-key"), e.getMessage());
    // A new version without the old key configured: refused too, naming what to set.
    KeySealing lost =
        new KeySealing(
            em, new TargetKeys(new SecretSealer(TargetKeys.PROPERTIES, 2, OTHER_KEY, List.of())));
    IllegalStateException missing =
        assertThrows(
            IllegalStateException.class,
            () -> QuarkusTransaction.requiringNew().run(lost::verifyAndSeal));
    assertTrue(missing.getMessage().contains("previous-master-keys"), missing.getMessage());
  }

  private Object[] row(String table, UUID id) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                (Object[])
                    em.createNativeQuery(
                            "select stream_key, stream_key_sealed, stream_key_version, key_hint"
                                + " from "
                                + table
                                + " where id = ?1")
                        .setParameter(1, id)
                        .getSingleResult());
  }

  private long plainRows() {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                ((Number)
                        em.createNativeQuery(
                                "select (select count(*) from restream_target where stream_key"
                                    + " is not null) + (select count(*) from restream_job"
                                    + " where stream_key is not null)")
                            .getSingleResult())
                    .longValue());
  }
}
