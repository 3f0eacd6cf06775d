package io.beamline.token.authorize;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;

/** Parses client addresses as media servers report them, IPv4-mapped IPv6 included. */
public final class ClientAddress {

  private ClientAddress() {}

  /** The address, or null when the text is not a single IPv4 or IPv6 address. */
  public static IPAddress parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    IPAddress dotted = dottedQuad(text);
    if (dotted != null) {
      return dotted;
    }
    IPAddress address = new IPAddressString(text.trim()).getAddress();
    if (address == null || address.isMultiple() || (!address.isIPv4() && !address.isIPv6())) {
      return null;
    }
    return unmapped(address.withoutPrefixLength());
  }

  /**
   * Plain {@code a.b.c.d}, the common case on the hot path, without the general parser's validation
   * machinery; null for anything else (which the general parser then handles).
   */
  private static IPAddress dottedQuad(String text) {
    int value = 0;
    int octet = -1;
    int dots = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        if (octet == 0) {
          return null; // leading zeros: leave the ambiguity to the general parser
        }
        octet = octet < 0 ? c - '0' : octet * 10 + (c - '0');
        if (octet > 255) {
          return null;
        }
      } else if (c == '.' && octet >= 0 && dots < 3) {
        value = (value << 8) | octet;
        octet = -1;
        dots++;
      } else {
        return null;
      }
    }
    if (dots != 3 || octet < 0) {
      return null;
    }
    return new IPv4Address((value << 8) | octet);
  }

  /**
   * {@code ::ffff:192.0.2.1} is how a dual-stack socket reports an IPv4 client: treat it as {@code
   * 192.0.2.1}, so IPv4 rules and IPv4 GeoIP data apply to it.
   */
  static IPAddress unmapped(IPAddress address) {
    if (address.isIPv6() && address.toIPv6().isIPv4Mapped()) {
      IPAddress v4 = address.toIPv6().getEmbeddedIPv4Address();
      Integer prefix = address.getNetworkPrefixLength();
      return prefix == null
          ? v4
          : v4.setPrefixLength(Math.max(0, prefix - 96), false).toPrefixBlock();
    }
    return address;
  }
}
