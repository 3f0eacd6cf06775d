package io.beamline.stream.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** X-Forwarded-For is believed only from trusted proxies, and never blindly. */
class ClientAddressTest {

  private final ClientAddress addresses = new ClientAddress(List.of("10.0.0.0/8", "::1"));

  @Test
  void aTrustedProxyNamesTheClient() {
    assertEquals("203.0.113.7", addresses.resolve("10.1.2.3", "203.0.113.7"));
    assertEquals("2001:db8::5", addresses.resolve("0:0:0:0:0:0:0:1", "2001:db8::5"));
  }

  @Test
  void theNearestUntrustedHopWins() {
    // The client could have written the first entry itself; the proxies appended the rest.
    assertEquals(
        "198.51.100.9", addresses.resolve("10.0.0.1", "192.0.2.1, 198.51.100.9, 10.0.0.5"));
  }

  @Test
  void anyoneElsesHeaderIsIgnored() {
    assertEquals("192.0.2.44", addresses.resolve("192.0.2.44", "203.0.113.7"));
    assertEquals("10.0.0.1", addresses.resolve("10.0.0.1", "not-an-address"));
    assertEquals("10.0.0.1", addresses.resolve("10.0.0.1", null));
    assertEquals("11.0.0.1", addresses.resolve("11.0.0.1", "203.0.113.7"));
  }

  @Test
  void aBadProxySettingIsRefusedAtStart() {
    assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("proxy.local")));
  }
}
