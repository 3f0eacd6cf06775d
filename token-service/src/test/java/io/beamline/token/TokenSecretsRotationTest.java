package io.beamline.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.token.service.KeyCipher;
import io.beamline.token.service.TokenSecrets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Master-key rotation of sealed token secrets, without the service around it. */
class TokenSecretsRotationTest {

  private static final String KEY_1 = TestSecrets.randomKey();
  private static final String KEY_2 = TestSecrets.randomKey();

  @Test
  void shouldOpenOldRowsAndResealThemWithTheNewKey() {
    TokenSecrets before = new TokenSecrets(new KeyCipher(TestSecrets.config(KEY_1, 1, List.of())));
    StreamingToken token = new StreamingToken();
    String secret = before.newSecret();
    before.setSecret(token, secret);
    before.setRestream(
        token, List.of(new RestreamTarget("rtmp://x.example.com/app", "stream-key", null, true)));
    assertEquals(1, token.secretKeyVersion);
    byte[] oldSealed = token.secretSealed;

    // Rotated: key 2 is current, key 1 is still configured as a previous key.
    TokenSecrets after =
        new TokenSecrets(new KeyCipher(TestSecrets.config(KEY_2, 2, List.of("1:" + KEY_1))));
    assertEquals(secret, after.secret(token));
    assertTrue(after.reseal(token));
    assertEquals(2, token.secretKeyVersion);
    assertFalse(java.util.Arrays.equals(oldSealed, token.secretSealed));
    assertEquals(secret, after.secret(token));
    assertEquals("stream-key", after.restream(token).get(0).key());
    assertFalse(after.reseal(token), "already current");

    // Once key 1 is dropped, only re-sealed rows can be opened.
    TokenSecrets onlyNew = new TokenSecrets(new KeyCipher(TestSecrets.config(KEY_2, 2, List.of())));
    assertEquals(secret, onlyNew.secret(token));
    assertThrows(IllegalStateException.class, () -> onlyNew.open(1, oldSealed));
  }

  @Test
  void shouldRefuseATamperedOrWronglyKeyedSecret() {
    TokenSecrets secrets = new TokenSecrets(new KeyCipher(TestSecrets.config(KEY_1, 1, List.of())));
    StreamingToken token = new StreamingToken();
    secrets.setSecret(token, secrets.newSecret());
    token.secretSealed[20] ^= 1;
    assertThrows(IllegalStateException.class, () -> secrets.secret(token));
    assertThrows(
        IllegalStateException.class,
        () -> new KeyCipher(TestSecrets.config(KEY_1, 1, List.of("1:" + KEY_2))));
    assertThrows(
        IllegalStateException.class,
        () -> new KeyCipher(TestSecrets.config(KEY_1, 1, List.of("x" + KEY_2))));
  }
}
