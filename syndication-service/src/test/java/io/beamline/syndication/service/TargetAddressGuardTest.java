package io.beamline.syndication.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSRF guard's address rules, without DNS (literal addresses). */
class TargetAddressGuardTest {

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void shouldRefuseRestrictedRangesByDefault() throws Exception {
    TargetAddressGuard guard = new TargetAddressGuard(false, List.of());
    for (String bad :
        List.of(
            "127.0.0.1",
            "10.0.0.5",
            "172.16.3.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.251",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1")) {
      assertFalse(guard.permitted(ip(bad)), bad);
    }
    for (String good : List.of("8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "172.32.0.1")) {
      assertTrue(guard.permitted(ip(good)), good);
    }
  }

  @Test
  void shouldAllowConfiguredRangesOnly() throws Exception {
    TargetAddressGuard guard = new TargetAddressGuard(false, List.of("127.0.0.0/8", "10.1.0.0/16"));
    assertTrue(guard.permitted(ip("127.0.0.1")));
    assertTrue(guard.permitted(ip("10.1.2.3")));
    assertFalse(guard.permitted(ip("10.2.0.1")));
    assertFalse(guard.permitted(ip("::1")));
    assertTrue(new TargetAddressGuard(true, List.of()).permitted(ip("192.168.0.1")));
  }

  @Test
  void shouldNameWhyATargetIsRefused() {
    TargetAddressGuard guard = new TargetAddressGuard(false, List.of());
    assertEquals(
        "blocked-address",
        assertThrows(
                TargetAddressGuard.BlockedTargetException.class,
                () -> guard.check("rtmp://169.254.169.254/live"))
            .reason());
    assertEquals(
        "invalid-url",
        assertThrows(
                TargetAddressGuard.BlockedTargetException.class,
                () -> guard.check("rtmp://bad host/live"))
            .reason());
    assertEquals(
        "unresolvable-host",
        assertThrows(
                TargetAddressGuard.BlockedTargetException.class,
                () -> guard.check("rtmp://nothing-here.invalid/live"))
            .reason());
  }
}
