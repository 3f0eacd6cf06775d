package io.beamline.platform.secrets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretSealerTest {

  private static final String KEY_1 = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String KEY_2 =
      Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @Test
  void sealsWithAFreshIvAndOpensWithTheSameKey() {
    SecretSealer sealer = new SecretSealer("p", 1, KEY_1, List.of());
    byte[] plain = "stream-key".getBytes(StandardCharsets.UTF_8);
    byte[] a = sealer.seal(plain);
    byte[] b = sealer.seal(plain);
    assertFalse(java.util.Arrays.equals(a, b), "each seal uses a new IV");
    assertFalse(new String(a, StandardCharsets.ISO_8859_1).contains("stream-key"));
    assertArrayEquals(plain, sealer.open(a));
    assertArrayEquals(plain, sealer.open(1, b));
  }

  @Test
  void opensRowsOfAPreviousVersionAfterRotation() {
    byte[] old = new SecretSealer("p", 1, KEY_1, List.of()).seal(new byte[] {1, 2, 3});
    SecretSealer rotated = new SecretSealer("p", 2, KEY_2, List.of("1:" + KEY_1));
    assertEquals(2, rotated.currentVersion());
    assertEquals(Set.of(1), rotated.olderVersions());
    assertTrue(rotated.knows(1));
    assertArrayEquals(new byte[] {1, 2, 3}, rotated.open(1, old));
    IllegalStateException wrong =
        assertThrows(IllegalStateException.class, () -> rotated.open(old));
    assertTrue(wrong.getMessage().contains("wrong master key"), wrong.getMessage());
    IllegalStateException unknown =
        assertThrows(
            IllegalStateException.class,
            () -> new SecretSealer("p", 2, KEY_2, List.of()).open(1, old));
    assertTrue(unknown.getMessage().contains("no master key of version 1"), unknown.getMessage());
  }

  @Test
  void refusesBadKeysNamingTheProperty() {
    IllegalStateException shortKey =
        assertThrows(
            IllegalStateException.class,
            () -> new SecretSealer("beamline.x", 1, "AAAA", List.of()));
    assertTrue(shortKey.getMessage().contains("beamline.x.master-key must be 32 bytes"));
    assertThrows(
        IllegalStateException.class, () -> new SecretSealer("p", 1, "not base64!", List.of()));
    assertThrows(IllegalStateException.class, () -> new SecretSealer("p", 1, " ", List.of()));
    assertThrows(
        IllegalStateException.class, () -> new SecretSealer("p", 1, KEY_1, List.of("1:" + KEY_2)));
    assertThrows(
        IllegalStateException.class, () -> new SecretSealer("p", 1, KEY_1, List.of("x" + KEY_2)));
    assertThrows(
        IllegalStateException.class, () -> new SecretSealer("p", 1, KEY_1, List.of("y:" + KEY_2)));
  }

  @Test
  void refusesATamperedOrTruncatedRow() {
    SecretSealer sealer = new SecretSealer("p", 1, KEY_1, List.of());
    byte[] sealed = sealer.seal("k".getBytes(StandardCharsets.UTF_8));
    sealed[sealed.length - 1] ^= 1;
    assertThrows(IllegalStateException.class, () -> sealer.open(sealed));
    assertThrows(IllegalStateException.class, () -> sealer.open(new byte[5]));
  }
}
